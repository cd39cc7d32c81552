//! The random draws of one run: a ChaCha8 generator seeded from the simulation's seed and
//! the run's number, and the few distributions the model needs.
//!
//! INVARIANT: a run's draws depend only on (seed, run number) and the order the generator
//! asks for them, never on the thread or on other runs.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

/// The random source of one run.
#[derive(Debug, Clone)]
pub struct Draw {
    rng: ChaCha8Rng,
}

impl Draw {
    /// The source of run `run` of a simulation seeded with `seed`: one ChaCha8 stream per
    /// run, so runs are independent and reproducible alone.
    pub fn new(seed: u64, run: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(run);
        Self { rng }
    }

    /// The source of one kind of reaction (`stream`) of run `run`: its own stream, so that
    /// whether other reviews were looked at changes nothing in this one's draws.
    pub fn for_review(seed: u64, run: u64, stream: u64) -> Self {
        let mut rng =
            ChaCha8Rng::seed_from_u64(seed ^ (stream + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.set_stream(run);
        Self { rng }
    }

    /// Uniform in [0, 1), with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (never for 0, always for 1).
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A whole number of days in `0..=max`, uniformly.
    pub fn days(&mut self, max: u32) -> u32 {
        if max == 0 {
            return 0;
        }
        let n = u64::from(max) + 1;
        (self.rng.next_u64() % n) as u32
    }

    /// A standard normal draw (Box–Muller; one of the pair is dropped for simplicity).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// The standard normal distribution function, Φ (W. J. Cody's rational approximation via
/// `erfc`, accurate to about 1e-7, which is far below the sampling error of any run count).
pub fn phi(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The complementary error function (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phi_matches_known_values() {
        assert!((phi(0.0) - 0.5).abs() < 1e-7);
        assert!((phi(1.959_964) - 0.975).abs() < 1e-6);
        assert!((phi(-1.0) - 0.158_655_25).abs() < 1e-6);
    }

    #[test]
    fn a_run_draws_the_same_whatever_came_before() {
        let mut a = Draw::new(7, 3);
        let mut other = Draw::new(7, 2);
        let _ = other.uniform();
        let mut b = Draw::new(7, 3);
        assert_eq!(a.uniform().to_bits(), b.uniform().to_bits());
        assert_ne!(
            Draw::new(7, 4).uniform().to_bits(),
            Draw::new(7, 3).uniform().to_bits()
        );
    }

    #[test]
    fn chances_of_zero_and_one_are_certain() {
        let mut d = Draw::new(1, 1);
        for _ in 0..1000 {
            assert!(!d.chance(0.0));
            assert!(d.chance(1.0));
        }
    }
}
