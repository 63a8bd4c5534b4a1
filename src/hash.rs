//! One fast, non-cryptographic hash step (FxHash's multiply-rotate) for the
//! tree's own keys: path lookups, the rules' maps, row and item keys. SipHash
//! (std's default) showed in every profile, and a local tool gains nothing
//! from its resistance to chosen collisions.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

/// Mix one 64-bit word into hash state `h`.
pub fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// [`mix`] as a `Hasher`: bytes eight at a time, numbers in one step.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.0 = mix(self.0, u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.0 = mix(self.0, b.into());
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = mix(self.0, n);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n.into());
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;
