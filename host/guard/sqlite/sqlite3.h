/* Layer guard: on the include path of every layer but host/store/. */
#error "only host/store/ may include sqlite3.h: use the store's own API (store.h)"
