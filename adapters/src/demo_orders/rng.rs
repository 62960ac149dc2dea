//! The history's random choices: SplitMix64, a tiny seeded generator written out here so that one seed
//! gives the same history on every machine and with every version of the `rand` crate.
use time::OffsetDateTime;
use uuid::Uuid;

/// A seeded pseudo-random sequence (SplitMix64).
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        // The top 53 bits: every value is exactly representable.
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `0..n` (0 when `n` is 0); the modulo bias is far below what a demo can show.
    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { usize::try_from(self.next_u64() % n as u64).unwrap_or(0) }
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub(super) fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = hi.abs_diff(lo) + 1;
        lo.saturating_add_unsigned(self.next_u64() % span)
    }

    /// An index drawn with the given weights (all zero: the first).
    pub(super) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return 0;
        }
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }

    /// A UUIDv7 for something created at `at`: its time prefix is `at`, the rest comes from the sequence,
    /// so ids sort like the creation times and repeat with the seed.
    pub(super) fn uuid_at(&mut self, at: OffsetDateTime) -> Uuid {
        let millis = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        let mut bytes = [0_u8; 10];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn one_seed_gives_one_sequence() {
        let (mut a, mut b) = (Rng::new(42), Rng::new(42));
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(first, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(first, (0..5).map(|_| Rng::new(43).next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        let mut r = Rng::new(1);
        for _ in 0..10_000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
            assert!((3..=7).contains(&r.between(3, 7)));
            assert!(r.below(5) < 5);
            assert!(r.weighted(&[0.0, 1.0, 0.0]) == 1);
        }
    }

    #[test]
    fn ids_carry_the_creation_time() {
        let at = datetime!(2026-11-05 08:30 UTC);
        let id = Rng::new(9).uuid_at(at);
        assert_eq!(id.get_version_num(), 7);
        let (secs, _) = id.get_timestamp().expect("v7 has a timestamp").to_unix();
        assert_eq!(i64::try_from(secs).expect("fits"), at.unix_timestamp());
    }
}
