// Draws for Thompson sampling (`learn`), from any [0, 1) source such as `seededRandom`.

/** A standard normal draw (Box–Muller; the second value is discarded to keep no state). */
function normal(random: () => number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be infinite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Gamma(shape, 1) draw for shape ≥ 1 (Marsaglia and Tsang's method). */
function gamma(random: () => number, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A Beta(a, b) draw, for a, b ≥ 1 (always so here: a Beta(1, 1) prior plus counts), as
 * X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
 */
export function sampleBeta(random: () => number, a: number, b: number): number {
  const x = gamma(random, a);
  const y = gamma(random, b);
  return x / (x + y);
}
