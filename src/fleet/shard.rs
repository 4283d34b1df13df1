//! `--shard K/N`: a stable share of the targets, so that N jobs of a CI
//! matrix or a Kubernetes Indexed Job each take one, and together every
//! target exactly once. The share is decided by a hash of the target
//! string alone (FNV-1a 64 over its UTF-8 bytes, mixed by splitmix64's
//! finaliser): the same on every machine, every run and every build, unlike
//! the standard library's randomly keyed hasher.

use thiserror::Error;

/// Shard K of N (K from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, from 1.
    pub index: u64,
    /// How many shards there are.
    pub count: u64,
}

/// A `--shard` that is not `K/N` with 1 ≤ K ≤ N.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("--shard wants K/N with 1 <= K <= N (such as 2/8, or $((JOB_COMPLETION_INDEX + 1))/8), not `{0}`")]
pub struct ShardError(pub String);

impl std::str::FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ShardError(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// True when `target` falls in this shard.
    pub fn holds(&self, target: &str) -> bool {
        stable_hash(target.as_bytes()) % self.count == self.index - 1
    }
}

/// FNV-1a 64, mixed by splitmix64's finaliser (FNV's low bits alone are
/// poorly spread for the `% N` that follows).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_pinned() {
        // A change here moves targets between shards of running fleets.
        assert_eq!(stable_hash(b""), 0xf52a_15e9_a9b5_e89b);
        assert_eq!(stable_hash(b"ollama://llama3.2:1b"), 0x4525_645a_1ef8_b586);
    }

    #[test]
    fn shards_split_targets_exactly_once_and_evenly() {
        let targets: Vec<String> = (0..4000)
            .map(|i| format!("/models/org{}/m{i}", i % 37))
            .collect();
        let n = 7;
        let shards: Vec<Shard> = (1..=n)
            .map(|k| format!("{k}/{n}").parse().unwrap())
            .collect();
        let mut sizes = vec![0usize; n as usize];
        for t in &targets {
            let holders: Vec<usize> = (0..n as usize).filter(|&i| shards[i].holds(t)).collect();
            assert_eq!(holders.len(), 1, "{t}");
            sizes[holders[0]] += 1;
        }
        for s in sizes {
            assert!((450..=700).contains(&s), "uneven shard: {s}");
        }
    }

    #[test]
    fn bad_shards_are_refused() {
        for s in ["0/3", "4/3", "1/0", "1", "a/b", "-1/2"] {
            assert!(s.parse::<Shard>().is_err(), "{s}");
        }
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
    }
}
