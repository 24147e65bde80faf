/**
 * What every dialog's action shares: busy while it runs (buttons disable), the server's message if
 * it fails (shown in the dialog, which stays open), and on success a toast and the dialog closed.
 */
export class DialogAction {
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(
    private readonly succeeded: (message: string) => void,
    private readonly close: () => void,
  ) {}

  /** Runs `action`, which resolves to the success message. */
  async run(action: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      this.succeeded(await action());
      this.close();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
