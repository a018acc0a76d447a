//! Large files are sealed at rest in SM4-GCM chunks on both cores: they open to the same bytes,
//! and any changed, swapped, dropped or added chunk, a changed count or the wrong key is refused.

use erjian_ofd::crypto::{open_chunked, open_secret, seal_chunked, seal_secret, SEAL_CHUNK, SEAL_CHUNK_MAX};

const KEY: [u8; 16] = *b"0123456789abcdef";

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn round_trips_at_every_size() {
    for n in [0, 1, SEAL_CHUNK - 1, SEAL_CHUNK, SEAL_CHUNK + 1, 3 * SEAL_CHUNK + 7, 56_000, 1 << 20, 2 * SEAL_CHUNK_MAX + 5] {
        let plain = data(n);
        let sealed = seal_chunked(&KEY, &plain);
        assert_eq!(open_chunked(&KEY, &sealed).unwrap(), plain, "size {n}");
        assert!(!sealed.windows(16).any(|w| plain.len() >= 16 && w == &plain[..16]), "size {n}: plaintext visible");
    }
}

#[test]
fn same_output_as_one_piece_where_it_matters() {
    // Small secrets keep the one-piece format; both decrypt only their own.
    let plain = data(100);
    assert_eq!(open_secret(&KEY, &seal_secret(&KEY, &plain)).unwrap(), plain);
    assert!(open_chunked(&KEY, &seal_secret(&KEY, &plain)).is_err());
}

#[test]
fn tampering_is_refused() {
    // Four chunks of the largest size.
    let plain = data(3 * SEAL_CHUNK_MAX + 100);
    let sealed = seal_chunked(&KEY, &plain);
    let (h, piece) = (16, SEAL_CHUNK_MAX + 16);
    assert_eq!(&sealed[8..12], &4u32.to_be_bytes());
    // A changed byte in the header and in each chunk.
    for at in [3, 9, 14, h, h + piece + 5, h + 3 * piece + 3, sealed.len() - 1] {
        let mut t = sealed.clone();
        t[at] ^= 1;
        assert!(open_chunked(&KEY, &t).is_err(), "changed byte at {at}");
    }
    // Two chunks swapped.
    let mut swapped = sealed[..h].to_vec();
    swapped.extend_from_slice(&sealed[h + piece..h + 2 * piece]);
    swapped.extend_from_slice(&sealed[h..h + piece]);
    swapped.extend_from_slice(&sealed[h + 2 * piece..]);
    assert!(open_chunked(&KEY, &swapped).is_err(), "swapped chunks");
    // The last chunk dropped, with the count lowered to match.
    let mut dropped = sealed[..h + 3 * piece].to_vec();
    dropped[8..12].copy_from_slice(&3u32.to_be_bytes());
    assert!(open_chunked(&KEY, &dropped).is_err(), "dropped last chunk");
    // A chunk from another file spliced in.
    let other = seal_chunked(&KEY, &plain);
    let mut spliced = sealed.clone();
    spliced[h..h + piece].copy_from_slice(&other[h..h + piece]);
    assert!(open_chunked(&KEY, &spliced).is_err(), "spliced chunk");
    // Cut short, and the wrong key.
    assert!(open_chunked(&KEY, &sealed[..sealed.len() - 20]).is_err());
    assert!(open_chunked(&KEY, &sealed[..15]).is_err());
    // A chunk size outside the bounds is refused before any work.
    let mut huge = sealed.clone();
    huge[12..16].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(open_chunked(&KEY, &huge).is_err());
    assert!(open_chunked(b"fedcba9876543210", &sealed).is_err());
}
