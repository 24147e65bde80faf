/** Small TypeBox builders the plugin API's schemas share (not part of the public API). */
import { type TEnum, type TSchema, Type } from 'typebox';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const oneOf = <const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TEnum<[...T]> => Type.Enum([...values], { description: values.join(' | '), ...options }) as TEnum<[...T]>;
