//! In-memory file metadata and file bytes, behaving as the SQL store and the object store do
//! (checked by the conformance suite and the adapter's tests).
use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::accounts::page_of;
use super::lock;
use crate::domain::files::{FileId, ImageType, StoredBlob, StoredFile};
use crate::domain::{Page, PageRequest};
use crate::error::RepoError;
use crate::ports::{FileRepository, FileStore};

/// File metadata in memory.
#[derive(Debug, Default)]
pub struct InMemoryFiles(Mutex<Vec<StoredFile>>);

#[async_trait]
impl FileRepository for InMemoryFiles {
    async fn create(&self, file: &StoredFile) -> Result<(), RepoError> {
        let mut rows = lock(&self.0);
        if rows.iter().any(|r| r.id == file.id) {
            return Err(RepoError::Conflict("files.id".into()));
        }
        rows.push(file.clone());
        Ok(())
    }

    async fn get(&self, id: FileId) -> Result<Option<StoredFile>, RepoError> {
        Ok(lock(&self.0).iter().find(|f| f.id == id).cloned())
    }

    async fn list(&self, page: &PageRequest) -> Result<Page<StoredFile>, RepoError> {
        let mut items: Vec<StoredFile> = lock(&self.0).iter().filter(|f| page.cursor.is_none_or(|c| f.id.0 < c)).cloned().collect();
        items.sort_by_key(|f| std::cmp::Reverse(f.id));
        items.truncate(page.limit as usize + 1);
        Ok(page_of(items, page.limit, |f| f.id.0))
    }
}

/// File bytes in memory; can be switched off to act as an unreachable store.
#[derive(Debug, Default)]
pub struct InMemoryFileStore {
    blobs: Mutex<HashMap<FileId, Vec<u8>>>,
    down: Mutex<bool>,
}

impl InMemoryFileStore {
    /// Makes every later call fail with `Unavailable` (or work again).
    pub fn set_down(&self, down: bool) {
        *lock(&self.down) = down;
    }

    /// How many files are stored.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.blobs).len()
    }

    /// Whether nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check_up(&self) -> Result<(), RepoError> {
        if *lock(&self.down) { Err(RepoError::Unavailable("file store switched off".into())) } else { Ok(()) }
    }
}

#[async_trait]
impl FileStore for InMemoryFileStore {
    async fn put(&self, id: FileId, bytes: &[u8], _content_type: ImageType) -> Result<StoredBlob, RepoError> {
        self.check_up()?;
        let mut blobs = lock(&self.blobs);
        if blobs.contains_key(&id) {
            return Err(RepoError::Conflict(format!("file {id} exists")));
        }
        blobs.insert(id, bytes.to_vec());
        Ok(StoredBlob { size: bytes.len() as u64, sha256: sha256_hex(bytes) })
    }

    async fn get(&self, id: FileId) -> Result<Option<Vec<u8>>, RepoError> {
        self.check_up()?;
        Ok(lock(&self.blobs).get(&id).cloned())
    }

    async fn delete(&self, id: FileId) -> Result<(), RepoError> {
        self.check_up()?;
        lock(&self.blobs).remove(&id);
        Ok(())
    }
}

/// SHA-256 (FIPS 180-4) of `data` as lower-case hex. The core may not depend on a crypto crate and
/// the fake must report what the real store reports, so the fake carries this small version.
#[must_use]
pub fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
        0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
        0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
        0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
        0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
        0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let t1 = hh
                .wrapping_add(e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25))
                .wrapping_add((e & f) ^ (!e & g))
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let t2 = (a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22)).wrapping_add((a & b) ^ (a & c) ^ (b & c));
            (hh, g, f, e, d, c, b, a) = (g, f, e, d.wrapping_add(t1), c, b, a, t1.wrapping_add(t2));
        }
        for (state, add) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *state = state.wrapping_add(add);
        }
    }
    h.iter().map(|word| format!("{word:08x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::sha256_hex;

    #[test]
    fn sha256_matches_the_published_test_vectors() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(sha256_hex(&vec![b'a'; 1_000_000]), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
}
