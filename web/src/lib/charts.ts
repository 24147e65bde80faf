/**
 * chart.js with only the parts the reports draw (bars, lines, stacked areas), so the bundle carries
 * nothing else. Import `Chart` from here, never from 'chart.js' directly.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Filler,
  Legend,
  Tooltip,
);

export { Chart };
