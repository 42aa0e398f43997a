//! A read-only open-addressing hash set of strings, laid out so that it can be
//! built once (by the macro at compile time or the builder at start-up) and then
//! stored in `static` data.
//!
//! Keys are hashed eight bytes at a time with ASCII letters folded to
//! lowercase (a multiply-rotate hash in the style of rustc's FxHash), so the same
//! table answers byte-exact lookups (origins) and case-insensitive ones (header
//! names). A lookup hashes the probe once and compares only keys in its probe
//! run: its cost depends on the length of the probe, never on the number of keys.
//! Probes may be given in pieces, so an origin can be looked up as
//! `scheme`, `"://"`, `host suffix`, `port` without building a string.

use std::borrow::Cow;

/// An immutable string set; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// `0` marks an empty slot; otherwise the slot holds `index + 1` into `keys`.
    slots: Cow<'static, [u32]>,
    keys: Cow<'static, [Cow<'static, str>]>,
}

/// Tables of at most this many keys are searched by comparing keys.
const LINEAR: usize = 4;
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
/// Setting bit 5 of every byte folds ASCII letters to lowercase. It also
/// merges a few non-letters (`@` with a backquote, `_` with DEL), which only
/// costs a rare extra comparison: equality is always checked on the bytes.
const FOLD: u64 = 0x2020_2020_2020_2020;

/// A streaming hasher over the concatenation of several byte slices, so a
/// key hashes the same whole or in pieces.
struct Hasher {
    hash: u64,
    word: u64,
    filled: u32,
    len: u64,
}

impl Hasher {
    fn new() -> Self {
        Hasher {
            hash: 0,
            word: 0,
            filled: 0,
            len: 0,
        }
    }

    fn mix(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ (word | FOLD)).wrapping_mul(SEED);
    }

    fn write(&mut self, mut bytes: &[u8]) {
        self.len += bytes.len() as u64;
        while self.filled != 0 {
            let Some((&byte, rest)) = bytes.split_first() else {
                return;
            };
            self.word |= u64::from(byte) << (8 * self.filled);
            self.filled = (self.filled + 1) % 8;
            if self.filled == 0 {
                let word = std::mem::take(&mut self.word);
                self.mix(word);
            }
            bytes = rest;
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let tail = chunks.remainder();
        let mut word = [0u8; 8];
        word[..tail.len()].copy_from_slice(tail);
        self.word = u64::from_le_bytes(word);
        self.filled = tail.len() as u32;
    }

    fn finish(mut self) -> u64 {
        if self.filled != 0 {
            let word = self.word;
            self.mix(word);
        }
        let hash = (self.hash ^ self.len).wrapping_mul(SEED);
        hash ^ (hash >> 32)
    }
}

fn hash_parts(parts: &[&[u8]]) -> u64 {
    match parts {
        [one] => hash_one(one),
        _ => {
            let total: usize = parts.iter().map(|p| p.len()).sum();
            if total <= 128 {
                // Joined on the stack, the pieces hash a word at a time.
                let mut joined = [0u8; 128];
                let mut at = 0;
                for part in parts {
                    joined[at..at + part.len()].copy_from_slice(part);
                    at += part.len();
                }
                hash_one(&joined[..at])
            } else {
                let mut hasher = Hasher::new();
                for part in parts {
                    hasher.write(part);
                }
                hasher.finish()
            }
        }
    }
}

/// [`Hasher`] over one slice, without the streaming state: the same value.
fn hash_one(bytes: &[u8]) -> u64 {
    let mut hasher = Hasher::new();
    hasher.len = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hasher.mix(u64::from_le_bytes(word));
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut word = [0u8; 8];
        word[..tail.len()].copy_from_slice(tail);
        hasher.mix(u64::from_le_bytes(word));
    }
    hasher.finish()
}

/// Slots hold `index + 1` in their low 24 bits and 8 bits of the key's hash
/// above them, so that most probes are decided without reading a key.
const INDEX_BITS: u32 = 24;
const INDEX_MASK: u32 = (1 << INDEX_BITS) - 1;

fn tag(hash: u64) -> u32 {
    (hash >> 56) as u32
}

/// Compares `key` with the concatenation of `parts`.
fn eq_parts(key: &[u8], parts: &[&[u8]], ignore_case: bool) -> bool {
    if let ([one], false) = (parts, ignore_case) {
        return key == *one;
    }
    let mut rest = key;
    for part in parts {
        let Some((head, tail)) = rest.split_at_checked(part.len()) else {
            return false;
        };
        let same = if ignore_case {
            head.eq_ignore_ascii_case(part)
        } else {
            head == *part
        };
        if !same {
            return false;
        }
        rest = tail;
    }
    rest.is_empty()
}

/// The first empty slot of `key`'s probe run, or `None` when the same key is
/// already stored. `slots` is at most half full.
fn free_slot(slots: &[u32], stored: &[Cow<'static, str>], key: &str) -> Option<usize> {
    let mask = slots.len() - 1;
    // Truncation is intended: the hash only selects a slot.
    let mut slot = hash_parts(&[key.as_bytes()]) as usize & mask;
    while slots[slot] != 0 {
        if *stored.get(slots[slot] as usize - 1)? == *key {
            return None;
        }
        slot = (slot + 1) & mask;
    }
    Some(slot)
}

impl Table {
    /// Builds a table from keys, keeping each distinct key once. Spellings
    /// that differ in case are distinct keys (methods are case-sensitive:
    /// `PURGE` and `Purge` both stay); a case-insensitive lookup finds the
    /// first one stored.
    pub fn build<I, S>(keys: I) -> Table
    where
        I: IntoIterator<Item = S>,
        S: Into<Cow<'static, str>>,
    {
        let keys: Vec<Cow<'static, str>> = keys.into_iter().map(Into::into).collect();
        // Equal keys hash alike, so a duplicate always meets its first copy in
        // its probe run: one pass, linear in the keys.
        let mut slots = vec![0u32; (keys.len() * 2).next_power_of_two()];
        let mut stored: Vec<Cow<'static, str>> = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(slot) = free_slot(&slots, &stored, &key) {
                stored.push(key);
                slots[slot] = u32::try_from(stored.len()).unwrap_or(u32::MAX);
            }
        }
        if stored.is_empty() {
            return Table::default();
        }
        // Lay the kept keys out again, tagged, at a load factor of at most
        // 1/2, which keeps probe runs short.
        let tagged = stored.len() < INDEX_MASK as usize;
        let mut slots = vec![0u32; (stored.len() * 2).next_power_of_two()];
        let mask = slots.len() - 1;
        for (index, key) in stored.iter().enumerate() {
            let hash = hash_parts(&[key.as_bytes()]);
            let mut slot = hash as usize & mask;
            while slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            let entry = u32::try_from(index + 1).unwrap_or(u32::MAX);
            slots[slot] = if tagged {
                entry | (tag(hash) << INDEX_BITS)
            } else {
                entry
            };
        }
        Table {
            slots: Cow::Owned(slots),
            keys: Cow::Owned(stored),
        }
    }

    /// Wraps tables emitted as static data by `cors-macros`.
    #[doc(hidden)]
    pub const fn from_static(slots: &'static [u32], keys: &'static [Cow<'static, str>]) -> Table {
        Table {
            slots: Cow::Borrowed(slots),
            keys: Cow::Borrowed(keys),
        }
    }

    /// The slot array, for code generation.
    #[doc(hidden)]
    pub fn slots(&self) -> &[u32] {
        &self.slots
    }

    /// The keys in insertion order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.keys.iter().map(|k| &**k)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the table has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn find(&self, parts: &[&[u8]], ignore_case: bool) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        // With a few keys, comparing each (most differ in length) costs
        // less than hashing the probe.
        if let ([probe], true) = (parts, self.keys.len() <= LINEAR) {
            return self.keys.iter().position(|key| {
                key.len() == probe.len() && eq_parts(key.as_bytes(), parts, ignore_case)
            });
        }
        let tagged = self.keys.len() < INDEX_MASK as usize;
        let mask = self.slots.len() - 1;
        let hash = hash_parts(parts);
        let mut slot = hash as usize & mask;
        // At most `slots.len()` probes, even for a corrupted table.
        for _ in 0..self.slots.len() {
            let entry = *self.slots.get(slot)?;
            if entry == 0 {
                return None;
            }
            let (index, same_tag) = if tagged {
                (entry & INDEX_MASK, entry >> INDEX_BITS == tag(hash))
            } else {
                (entry, true)
            };
            if same_tag {
                let index = index as usize - 1;
                let key = self.keys.get(index)?;
                if eq_parts(key.as_bytes(), parts, ignore_case) {
                    return Some(index);
                }
            }
            slot = (slot + 1) & mask;
        }
        None
    }

    /// The insertion position of the key equal (byte-exact) to the
    /// concatenation of `parts`.
    pub fn position(&self, parts: &[&[u8]]) -> Option<usize> {
        self.find(parts, false)
    }

    /// Byte-exact lookup of the concatenation of `parts`.
    pub fn get(&self, parts: &[&[u8]]) -> Option<&str> {
        self.find(parts, false)
            .and_then(|i| self.keys.get(i))
            .map(|k| &**k)
    }

    /// ASCII case-insensitive lookup.
    pub fn get_ignore_case(&self, key: &[u8]) -> Option<&str> {
        self.find(&[key], true)
            .and_then(|i| self.keys.get(i))
            .map(|k| &**k)
    }
}

impl PartialEq for Table {
    fn eq(&self, other: &Self) -> bool {
        self.slots == other.slots && self.keys == other.keys
    }
}

impl Eq for Table {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_given_in_pieces() {
        let table = Table::build(["https://a.example", "http://localhost:*"]);
        assert_eq!(
            table.get(&[b"https", b"://", b"a.example"]),
            Some("https://a.example")
        );
        assert_eq!(
            table.get(&[b"https://a.example"]),
            Some("https://a.example")
        );
        assert_eq!(table.get(&[b"https://a.exampl"]), None);
        assert_eq!(table.get(&[b"https://a.example", b"x"]), None);
        assert_eq!(
            table.get(&[b"HTTPS://a.example"]),
            None,
            "exact is byte-exact"
        );
    }

    #[test]
    fn case_insensitive_lookup_returns_the_stored_key() {
        let table = Table::build(["content-type", "x-requested-with"]);
        assert_eq!(table.get_ignore_case(b"Content-Type"), Some("content-type"));
        assert_eq!(table.get_ignore_case(b"x-request-with"), None);
    }

    #[test]
    fn one_slice_hashes_like_the_stream() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut streamed = Hasher::new();
            streamed.write(&bytes);
            assert_eq!(hash_one(&bytes), streamed.finish(), "{len} bytes");
        }
    }

    #[test]
    fn hashing_ignores_how_a_key_is_split_and_ascii_case() {
        let whole = hash_parts(&[b"https://a.example.com:8443"]);
        for split in 0..=26 {
            let (head, tail) = b"https://a.example.com:8443".split_at(split);
            assert_eq!(hash_parts(&[head, tail]), whole, "split at {split}");
        }
        assert_eq!(
            hash_parts(&[b"https", b"://", b"a.example.com", b":8443"]),
            whole
        );
        assert_eq!(
            hash_parts(&[b"Content-Type"]),
            hash_parts(&[b"content-type"])
        );
        assert_ne!(
            hash_parts(&[b"content-type"]),
            hash_parts(&[b"content-typ"])
        );
    }

    #[test]
    fn empty_table_finds_nothing() {
        assert_eq!(Table::default().get(&[b""]), None);
        assert_eq!(Table::build(Vec::<String>::new()).get(&[b"x"]), None);
    }

    #[test]
    fn many_keys_all_found() {
        let keys: Vec<String> = (0..5000).map(|i| format!("https://o{i}.example")).collect();
        let table = Table::build(keys.clone());
        for key in &keys {
            assert_eq!(table.get(&[key.as_bytes()]), Some(key.as_str()));
        }
        assert_eq!(table.get(&[b"https://o5000.example"]), None);
    }
}
