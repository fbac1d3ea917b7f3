//! Which stored segments some task of this process is working on, so that the recovery sweep
//! never processes a segment a live connection (or another sweep) already has in hand.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// The set of segment ids claimed in this process.
#[derive(Debug, Clone, Default)]
pub struct SegmentClaims {
    held: Arc<Mutex<HashSet<String>>>,
}

/// Holding this means the segment is ours; dropping it releases the claim.
#[derive(Debug)]
pub struct Claim {
    held: Arc<Mutex<HashSet<String>>>,
    segment_id: String,
}

impl SegmentClaims {
    /// Claims `segment_id`, or `None` when someone in this process already has it.
    pub fn claim(&self, segment_id: &str) -> Option<Claim> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.insert(segment_id.to_string()).then(|| Claim {
            held: Arc::clone(&self.held),
            segment_id: segment_id.to_string(),
        })
    }

    /// How many segments are claimed now.
    pub fn len(&self) -> usize {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Claim {
    pub fn segment_id(&self) -> &str {
        &self.segment_id
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.segment_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_is_claimed_once_until_released() {
        let claims = SegmentClaims::default();
        let first = claims.claim("s1").expect("free segment");
        assert!(claims.claim("s1").is_none(), "claimed twice");
        assert!(claims.claim("s2").is_some());
        assert_eq!(claims.len(), 1, "the s2 claim was dropped at once");
        drop(first);
        assert!(claims.is_empty());
        assert!(claims.claim("s1").is_some());
    }
}
