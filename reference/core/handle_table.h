// rsmkit reference librsm: handle tables. A public handle is a key into a
// table, never a pointer we dereference: NULL, garbage, foreign-process and
// destroyed handles all fail the lookup and become RSMERR_BAD_*_HNDL.
#ifndef RSMKIT_CORE_HANDLE_TABLE_H
#define RSMKIT_CORE_HANDLE_TABLE_H

#include <cstdint>
#include <memory>
#include <atomic>
#include <mutex>
#include <new>
#include <unordered_map>

#include "core/core.h"

namespace rsmkit {

// Kind tags live in the top byte of every key, so a handle of one kind is
// never found in another kind's table. Keys are never reused.
enum class Kind : uint64_t { controller = 0x11, export_seg = 0x22, import_seg = 0x33,
                             localmem = 0x44, barrier = 0x55 };

uint64_t next_key(Kind k);

// The per-thread memo of HandleTable::find_hot. What is read on every call is
// plain data in initial-exec TLS (one %fs-relative load: no __tls_get_addr
// call, no initialisation guard); the reference that keeps the memoised
// object alive is touched on misses only.
struct HotMemo {
  uint64_t key, epoch;
  const void *table;
  pid_t pid;
  void *obj;
};
extern __thread HotMemo t_hot_memo __attribute__((tls_model("initial-exec")));
std::shared_ptr<void> &hot_memo_keeper();

template <class T>
class HandleTable {
 public:
  uint64_t insert(Kind k, std::shared_ptr<T> obj) {
    uint64_t key = next_key(k);
    obj->key = key;
    std::lock_guard<std::mutex> lk(mu_);
    map_.emplace(key, std::move(obj));
    return key;
  }
  // insert() for an object whose backend part already exists: if the table
  // cannot grow (out of memory), undo() gives that part back before the
  // failure goes on to the entry point's out-of-memory guard.
  template <class Undo>
  uint64_t insert(Kind k, std::shared_ptr<T> obj, Undo undo) {
    try {
      return insert(k, std::move(obj));
    } catch (const std::bad_alloc &) {
      undo();
      throw;
    }
  }
  // Null when the key is unknown or belongs to another process (after fork).
  std::shared_ptr<T> find(uint64_t key, bool any_process = false) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (!any_process && owner_of(*it->second) != current_pid()) return nullptr;
    return it->second;
  }
  // find() for the get/put hot path: a per-thread memo of the last key found,
  // trusted while nothing has been removed from the table since (removals
  // bump epoch_): no lock and no reference-count traffic. The memo keeps the
  // object alive until this thread looks up another key, so a concurrent
  // remove cannot free it under the caller, who still checks the object's
  // state under its lock. The pointer is valid until the next find_hot.
  T *find_hot(uint64_t key) {
    HotMemo &m = t_hot_memo;
    const uint64_t epoch = epoch_.load(std::memory_order_acquire);
    if (m.key == key && key && m.epoch == epoch && m.table == this && m.pid == current_pid())
      return static_cast<T *>(m.obj);
    std::shared_ptr<T> obj = find(key);
    hot_memo_keeper() = obj;
    m = HotMemo{obj ? key : 0, epoch, this, current_pid(), obj.get()};
    return obj.get();
  }
  std::shared_ptr<T> remove(uint64_t key) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    auto obj = std::move(it->second);
    map_.erase(it);
    epoch_.fetch_add(1, std::memory_order_acq_rel);
    return obj;
  }
  template <class F>
  std::shared_ptr<T> find_if(F pred) {
    std::lock_guard<std::mutex> lk(mu_);
    for (auto &kv : map_)
      if (pred(*kv.second)) return kv.second;
    return nullptr;
  }
  std::mutex &mutex() { return mu_; }

 private:
  static pid_t owner_of(const Controller &c) { return c.owner; }
  static pid_t owner_of(const ExportSeg &e) { return e.creator; }
  static pid_t owner_of(const ImportSeg &i) { return i.owner; }
  static pid_t owner_of(const LocalMem &m) { return m.owner; }
  static pid_t owner_of(const Barrier &b) { return b.owner; }
  std::mutex mu_;
  std::atomic<uint64_t> epoch_{0};
  std::unordered_map<uint64_t, std::shared_ptr<T>> map_;
};

HandleTable<Controller> &controllers();
HandleTable<ExportSeg> &exports();
HandleTable<ImportSeg> &imports();
HandleTable<LocalMem> &localmems();
HandleTable<Barrier> &barriers();

template <class H>
inline uint64_t key_of(H h) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(h)); }
template <class H>
inline H handle_of(uint64_t key) { return reinterpret_cast<H>(static_cast<uintptr_t>(key)); }

}  // namespace rsmkit

#endif  // RSMKIT_CORE_HANDLE_TABLE_H
