// The outbox: every speech segment is kept in IndexedDB from the moment it is cut until the
// server's `segmento_ok` for its id, so a dropped socket or a closed tab loses nothing.

const DB = "balto-balcao";
const STORE = "segmentos";

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export class Outbox {
  static async open() {
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "id" });
    return new Outbox(await req(r));
  }

  constructor(db) {
    this.db = db;
  }

  store(mode) {
    return this.db.transaction(STORE, mode).objectStore(STORE);
  }

  /** Stores {id, inicioMs, duracaoMs, pcm: ArrayBuffer}; resolves once committed. */
  put(seg) {
    const tx = this.db.transaction(STORE, "readwrite");
    tx.objectStore(STORE).put(seg);
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  delete(id) {
    return req(this.store("readwrite").delete(id));
  }

  all() {
    return req(this.store("readonly").getAll());
  }
}
