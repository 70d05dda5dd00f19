/** Narrow signed limits used by sign-extension tracking. */
export const S8_MIN = -128n;
export const S8_MAX = 127n;
export const S16_MIN = -32768n;
export const S16_MAX = 32767n;
