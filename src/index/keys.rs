//! The tree's paths by key, in one flat table: what every link's target is
//! looked up in. At a million files a hash map of 128-bit keys holds 64 MB
//! (32-byte buckets, twice the L3 of a small machine) and reads a control
//! byte and then a bucket for each lookup; here a slot is 16 bytes, the
//! key's top 96 bits and the value, and a lookup reads one slot (most
//! often) in a table at most half full.

/// A path's key's top 96 bits -> a `u32`, first inserted kept.
#[derive(Default)]
pub struct KeyTable {
    /// Each slot: the key's top 96 bits (the top bit set, so that no slot
    /// in use is 0) and the value in the low 32; 0 for an empty slot.
    slots: Vec<u128>,
}

const VALUE: u128 = 0xFFFF_FFFF;
const USED: u128 = 1 << 127;

impl KeyTable {
    /// A table of `keys` (with their values), the first of equal keys kept.
    pub fn new(n: usize, keys: impl Iterator<Item = (u128, u32)>) -> KeyTable {
        let size = (n.max(4) * 2).next_power_of_two();
        let mut table = KeyTable {
            slots: vec![0; size],
        };
        for (key, value) in keys {
            table.insert(key, value);
        }
        table
    }

    fn first_slot(&self, key: u128) -> usize {
        // The bits below the top 32 are as good as any (XXH3), and not
        // those the slot compares first.
        (key >> 32) as usize & (self.slots.len() - 1)
    }

    /// The slot that holds `key`, or else the empty slot where it would go.
    fn find(&self, key: u128) -> (usize, u128) {
        let tag = (key | USED) & !VALUE;
        let mask = self.slots.len() - 1;
        let mut at = self.first_slot(key);
        while self.slots[at] != 0 && self.slots[at] & !VALUE != tag {
            at = (at + 1) & mask;
        }
        (at, tag)
    }

    fn insert(&mut self, key: u128, value: u32) {
        let (at, tag) = self.find(key);
        if self.slots[at] == 0 {
            self.slots[at] = tag | value as u128;
        }
    }

    /// The value of `key`, if it was inserted.
    pub fn get(&self, key: u128) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = self.slots[self.find(key).0];
        (slot != 0).then_some((slot & VALUE) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::KeyTable;

    fn key(s: &str) -> u128 {
        xxhash_rust::xxh3::xxh3_128(s.as_bytes())
    }

    #[test]
    fn every_key_inserted_reads_back_its_value_and_no_other_is_found() {
        let names: Vec<String> = (0..50_000)
            .map(|i| format!("dir{}/page-{i}.md", i % 97))
            .collect();
        let table = KeyTable::new(
            names.len(),
            names.iter().enumerate().map(|(i, n)| (key(n), i as u32)),
        );
        for (i, n) in names.iter().enumerate() {
            assert_eq!(table.get(key(n)), Some(i as u32), "{n}");
        }
        for i in 0..50_000 {
            assert_eq!(table.get(key(&format!("gone/page-{i}.md"))), None);
        }
    }

    #[test]
    fn the_first_of_equal_keys_is_kept_and_any_value_fits() {
        let table = KeyTable::new(
            3,
            [(key("a"), 1), (key("a"), 2), (key("b"), u32::MAX)].into_iter(),
        );
        assert_eq!(table.get(key("a")), Some(1));
        assert_eq!(table.get(key("b")), Some(u32::MAX));
        assert_eq!(KeyTable::default().get(key("a")), None);
    }

    #[test]
    fn keys_that_share_their_first_slot_are_told_apart() {
        // Same bits where the first slot is read, different above them.
        let (a, b) = (1u128 << 100 | 5 << 32, 1u128 << 101 | 5 << 32);
        let table = KeyTable::new(2, [(a, 7), (b, 8)].into_iter());
        assert_eq!((table.get(a), table.get(b)), (Some(7), Some(8)));
        assert_eq!(table.get(1u128 << 102 | 5 << 32), None);
    }
}
