// rsmkit reference librsm: handle tables. A public handle is a key into a
// table, never a pointer we dereference: NULL, garbage, foreign-process and
// destroyed handles all fail the lookup and become RSMERR_BAD_*_HNDL.
#ifndef RSMKIT_CORE_HANDLE_TABLE_H
#define RSMKIT_CORE_HANDLE_TABLE_H

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/core.h"

namespace rsmkit {

// Kind tags live in the top byte of every key, so a handle of one kind is
// never found in another kind's table. Keys are never reused.
enum class Kind : uint64_t { controller = 0x11, export_seg = 0x22, import_seg = 0x33,
                             localmem = 0x44, barrier = 0x55 };

uint64_t next_key(Kind k);

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
  // Null when the key is unknown or belongs to another process (after fork).
  std::shared_ptr<T> find(uint64_t key, bool any_process = false) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (!any_process && owner_of(*it->second) != current_pid()) return nullptr;
    return it->second;
  }
  std::shared_ptr<T> remove(uint64_t key) {
    std::lock_guard<std::mutex> lk(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    auto obj = std::move(it->second);
    map_.erase(it);
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
