//! Session ids the Worker announces in `auth_ok`: UUIDv7 (time-ordered like local-dev's),
//! from the clock and random bytes the caller supplies (the Durable Object's own random id).

/// A UUIDv7 text from Unix ms and at least 10 random bytes (fewer are padded with zeros).
pub fn uuid_v7(unix_ms: u64, random: &[u8]) -> String {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
    for (dst, src) in b[6..].iter_mut().zip(random.iter()) {
        *dst = *src;
    }
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_ordered_by_time() {
        let a = uuid_v7(1_700_000_000_000, &[0xff; 10]);
        let b = uuid_v7(1_700_000_000_001, &[0x00; 10]);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "7");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
        assert!(a < b);
        assert_eq!(uuid_v7(0, &[]).len(), 36);
    }
}
