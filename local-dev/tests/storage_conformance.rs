//! The shared storage contract (`balto_core::storage_conformance`) on the SQLite store.

use balto_local::sqlite_store::SqliteStore;

#[tokio::test]
async fn sqlite_store_passes_the_storage_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("conformance.db")).unwrap();
    balto_core::storage_conformance::run(&store, "t1-").await;
    // The file is still sound afterwards.
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}
