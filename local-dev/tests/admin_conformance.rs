//! The shared admin-store contract (`balto_core::admin_conformance`) on the SQLite store.

use balto_local::sqlite_store::SqliteStore;

#[tokio::test]
async fn sqlite_store_passes_the_admin_conformance_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("admin-conformance.db")).unwrap();
    balto_core::admin_conformance::run(&store, &store).await;
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}
