//! A least-recently-used cache of tile bytes, bounded by total size.
//! Shared by every request to a layer; one mutex, held only for map
//! operations (never across a fetch or a render).

use crate::tile::TileId;
use bytes::Bytes;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

#[derive(Debug)]
pub struct TileCache {
    inner: Mutex<Lru>,
}

#[derive(Debug, Default)]
struct Lru {
    budget: usize,
    used: usize,
    tick: u64,
    entries: HashMap<TileId, (Bytes, u64)>,
    /// Last use → tile: the first entry is the least recently used.
    order: BTreeMap<u64, TileId>,
}

impl TileCache {
    /// A cache holding up to `budget` bytes of tiles.
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::new(Lru {
                budget,
                ..Lru::default()
            }),
        }
    }

    pub fn get(&self, id: TileId) -> Option<Bytes> {
        let mut lru = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        lru.tick += 1;
        let tick = lru.tick;
        let (bytes, old) = {
            let (bytes, used) = lru.entries.get_mut(&id)?;
            (bytes.clone(), std::mem::replace(used, tick))
        };
        lru.order.remove(&old);
        lru.order.insert(tick, id);
        Some(bytes)
    }

    pub fn put(&self, id: TileId, bytes: Bytes) {
        let mut lru = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if bytes.len() > lru.budget {
            return;
        }
        lru.tick += 1;
        let tick = lru.tick;
        if let Some((old, used)) = lru.entries.insert(id, (bytes.clone(), tick)) {
            lru.used -= old.len();
            lru.order.remove(&used);
        }
        lru.used += bytes.len();
        lru.order.insert(tick, id);
        while lru.used > lru.budget {
            let Some((_, victim)) = lru.order.pop_first() else {
                break;
            };
            if let Some((b, _)) = lru.entries.remove(&victim) {
                lru.used -= b.len();
            }
        }
    }

    /// How many tiles are held.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used() {
        let cache = TileCache::new(10);
        let t = |x| TileId::new(4, x, 0).unwrap();
        cache.put(t(1), Bytes::from_static(b"aaaa"));
        cache.put(t(2), Bytes::from_static(b"bbbb"));
        assert!(cache.get(t(1)).is_some());
        cache.put(t(3), Bytes::from_static(b"cccc"));
        assert!(cache.get(t(2)).is_none(), "2 was least recently used");
        assert!(cache.get(t(1)).is_some() && cache.get(t(3)).is_some());
        cache.put(t(4), Bytes::from_static(b"too large for it"));
        assert!(cache.get(t(4)).is_none());
        assert_eq!(cache.len(), 2);
    }
}
