//! Handing memory back once documents close, so a server that lived through a long
//! session returns to its baseline (10,000 documents opened and closed must leave it there).
//!
//! Two things keep memory after the documents are gone: maps keep their capacity,
//! and glibc keeps freed small allocations in its arenas. Maps are shrunk when most
//! of their room is empty; `malloc_trim` returns the free pages to the OS.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A collection whose spare room can be given back.
pub trait Shrink {
    fn len_and_capacity(&self) -> (usize, usize);
    fn shrink(&mut self);
}

impl<K: Eq + Hash, V, S: std::hash::BuildHasher> Shrink for HashMap<K, V, S> {
    fn len_and_capacity(&self) -> (usize, usize) {
        (self.len(), self.capacity())
    }
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

impl<K: Eq + Hash, S: std::hash::BuildHasher> Shrink for HashSet<K, S> {
    fn len_and_capacity(&self) -> (usize, usize) {
        (self.len(), self.capacity())
    }
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

/// Shrink `c` when three quarters of its room are empty (and it is not small):
/// amortised, a map that grows and empties again costs O(1) per removal.
pub fn shrink_if_sparse(c: &mut impl Shrink) {
    let (len, cap) = c.len_and_capacity();
    if cap > 64 && len * 4 < cap {
        c.shrink();
    }
}

/// Give freed memory back to the OS when the last document closes (and now and
/// then while many close).
pub fn release(open_documents: usize) {
    static CLOSES: AtomicUsize = AtomicUsize::new(0);
    let n = CLOSES.fetch_add(1, Ordering::Relaxed) + 1;
    if open_documents == 0 || n.is_multiple_of(1024) {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free heap pages to the OS.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_maps_shrink_and_full_ones_do_not() {
        let mut m: HashMap<u32, u32> = (0..1000).map(|i| (i, i)).collect();
        let full = m.capacity();
        shrink_if_sparse(&mut m);
        assert_eq!(m.capacity(), full, "a full map keeps its room");
        m.retain(|k, _| *k < 100);
        shrink_if_sparse(&mut m);
        assert!(
            m.capacity() < full / 4,
            "capacity {} of {}",
            m.capacity(),
            full
        );
        let mut small: HashSet<u32> = (0..40).collect();
        let cap = small.capacity();
        small.clear();
        shrink_if_sparse(&mut small);
        assert_eq!(small.capacity(), cap, "small sets are left alone");
    }
}
