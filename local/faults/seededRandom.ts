/**
 * A deterministic uniform random source in [0, 1) from a seed (mulberry32 over an FNV-1a hash of
 * the seed's text): the same seed gives the same chaos run plan and fault schedule on any machine.
 */
export const seededRandom = (seed: string | number): (() => number) => {
  let state = 0x811c9dc5;
  for (const char of String(seed)) {
    state ^= char.codePointAt(0) ?? 0;
    state = Math.imul(state, 0x01000193) >>> 0;
  }
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};
