// rsmkit shm backend: scans of the directory. Tells stale names from live
// ones and removes the stale (crash leftovers), finds live nodes, and
// removes a process's own names at exit.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include "backends/shm/shm_internal.h"

namespace rsmkit::shm {

namespace {

enum class NameKind { none, presence, owned, publication };

// What a directory entry's name says about it.
struct NameInfo {
  NameKind kind = NameKind::none;
  pid_t pid = 0;  // presence, owned
  rsm_node_id_t node = 0;  // publication
  rsm_memseg_id_t segid = 0;
};

// Parses digits of base (10 or 16) up to max; exactly `width` of them when
// width != 0. Advances p.
bool parse_number(const char *&p, int base, uint64_t max, size_t width, uint64_t *out) {
  uint64_t v = 0;
  size_t n = 0;
  for (;; p++, n++) {
    int d;
    if (*p >= '0' && *p <= '9') d = *p - '0';
    else if (base == 16 && *p >= 'a' && *p <= 'f') d = *p - 'a' + 10;
    else break;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    if (v > max) return false;
  }
  if (n == 0 || (width && n != width)) return false;
  *out = v;
  return true;
}

bool parse_pid(const char *&p, pid_t *pid) {
  uint64_t v;
  if (!parse_number(p, 10, INT32_MAX, 0, &v) || v == 0) return false;
  *pid = static_cast<pid_t>(v);
  return true;
}

bool skip(const char *&p, const char *literal) {
  size_t n = std::strlen(literal);
  if (std::strncmp(p, literal, n) != 0) return false;
  p += n;
  return true;
}

NameInfo classify(const char *name) {
  NameInfo info;
  const char *p = name;
  uint64_t v;
  if (!skip(p, process().prefix) || !skip(p, ".")) return info;
  if (skip(p, "proc.")) {
    if (parse_pid(p, &info.pid) && !*p) info.kind = NameKind::presence;
  } else if (skip(p, "mem.") || skip(p, "ev.") || skip(p, "stale.")) {
    if (parse_pid(p, &info.pid) && skip(p, ".") && parse_number(p, 10, UINT32_MAX, 0, &v) &&
        !*p)
      info.kind = NameKind::owned;
  } else if (skip(p, "n") && parse_number(p, 10, UINT32_MAX, 0, &v)) {
    info.node = static_cast<rsm_node_id_t>(v);
    if (skip(p, ".s") && parse_number(p, 16, UINT32_MAX, 8, &v) && !*p) {
      info.segid = static_cast<rsm_memseg_id_t>(v);
      info.kind = NameKind::publication;
    }
  }
  return info;
}

// Calls f(info, full path) for every entry of ours in the directory.
template <typename F>
void for_each_name(F f) {
  DIR *d = opendir(process().dir);
  if (!d) return;
  while (struct dirent *e = readdir(d)) {
    NameInfo info = classify(e->d_name);
    if (info.kind == NameKind::none) continue;
    Path full;
    if (std::snprintf(full.s, sizeof full.s, "%s/%s", process().dir, e->d_name) >=
        static_cast<int>(sizeof full.s))
      continue;
    f(info, full.s);
  }
  closedir(d);
}

bool pid_gone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

enum class PageState { absent, incomplete, alive, dead };

// What the presence page file at path says; it need not carry its usual name.
PageState read_page_state(const char *path) {
  int fd = open_retry(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return errno == ENOENT ? PageState::absent : PageState::incomplete;
  struct stat st;
  void *mem = MAP_FAILED;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<size_t>(st.st_size) >= sizeof(PresencePage))
    mem = mmap(nullptr, sizeof(PresencePage), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (mem == MAP_FAILED) return PageState::incomplete;
  auto *page = static_cast<PresencePage *>(mem);
  PageState s = PageState::incomplete;
  if (page->magic.load(std::memory_order_acquire) == kPresenceMagic)
    s = presence_alive(page) ? PageState::alive : PageState::dead;
  munmap(mem, sizeof(PresencePage));
  return s;
}

// A presence page is stale when its owner is dead. An incomplete page is
// being set up by its process, unless that process is gone.
bool presence_stale(const char *path, pid_t pid, bool own_pid_is_stale) {
  if (pid == process().pid) return own_pid_is_stale;
  switch (read_page_state(path)) {
    case PageState::dead:
      return true;
    case PageState::incomplete:
      return pid_gone(pid);
    default:
      return false;
  }
}

// A name carrying pid is stale when pid is dead, or lives without a presence
// page (then it is another program under a reused pid, or an rsmkit process
// past its exit cleanup: it creates names only after its page).
bool owner_dead(pid_t pid, bool own_pid_is_stale) {
  if (pid == process().pid) return own_pid_is_stale;
  if (pid_gone(pid)) return true;
  Path page;
  if (!presence_path(page, pid)) return false;
  switch (read_page_state(page.s)) {
    case PageState::absent:
    case PageState::dead:
      return true;
    default:
      return false;
  }
}

bool names_own_object(const char *path) {
  int fd = open_retry(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  SegHeader *h = map_header(fd);
  close(fd);
  if (!h) return false;
  bool own = h->creator_pid == process().pid && h->creator_start == process().start_time;
  unmap_header(h);
  return own;
}

}  // namespace

bool move_aside(const char *path, Path &aside) {
  if (!object_path(aside, "stale", process().pid, next_serial())) return false;
  return rename(path, aside.s) == 0;
}

void put_back(const char *aside, const char *path) {
  if (path) link(aside, path);  // EEXIST: a newer name won; ours goes
  unlink(aside);
}

bool publication_stale(const char *path, rsm_node_id_t node, rsm_memseg_id_t segid) {
  int fd = open_retry(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;  // absent, or not ours to judge
  SegHeader *h = map_header(fd);
  close(fd);
  if (!h) return true;
  bool live = h->state.load(std::memory_order_acquire) == seg_published &&
              h->segid.load(std::memory_order_relaxed) == segid && h->creator_node == node &&
              process_alive(h->creator_pid, h->creator_start);
  unmap_header(h);
  return !live;
}

void sweep_stale_names(bool own_pid_is_stale) {
  for_each_name([own_pid_is_stale](const NameInfo &info, const char *path) {
    switch (info.kind) {
      case NameKind::presence:
        remove_if_stale(path, [&](const char *p) {
          return presence_stale(p, info.pid, own_pid_is_stale);
        });
        break;
      case NameKind::owned:
        remove_if_stale(path, [&](const char *) { return owner_dead(info.pid, own_pid_is_stale); });
        break;
      case NameKind::publication:
        remove_if_stale(path, [&](const char *p) {
          return publication_stale(p, info.node, info.segid);
        });
        break;
      case NameKind::none:
        break;
    }
  });
}

void remove_own_names() {
  const pid_t self = process().pid;
  // Publications first (they are found through our objects), page last.
  for_each_name([](const NameInfo &info, const char *path) {
    if (info.kind == NameKind::publication && names_own_object(path)) unlink(path);
  });
  for_each_name([self](const NameInfo &info, const char *path) {
    if (info.kind == NameKind::owned && info.pid == self) unlink(path);
  });
  Path page;
  if (presence_path(page, self)) unlink(page.s);
}

bool node_alive(rsm_node_id_t node) {
  if (node == process().node) return true;
  bool found = false;
  for_each_name([&](const NameInfo &info, const char *) {
    if (found || info.kind != NameKind::presence) return;
    PresencePage *p = map_presence(info.pid, 0);
    if (!p) return;
    found = p->node == node && presence_alive(p);
    unmap_presence(p);
  });
  return found;
}

Status live_remote_nodes(RemoteNode *out, size_t max, size_t *count) {
  std::vector<rsm_node_id_t> nodes;
  bool short_of_memory = false;
  const rsm_node_id_t self = process().node;
  for_each_name([&](const NameInfo &info, const char *) {
    if (short_of_memory || info.kind != NameKind::presence) return;
    PresencePage *p = map_presence(info.pid, 0);
    if (!p) return;
    if (p->node != self && presence_alive(p)) {
      try {
        nodes.push_back(p->node);
      } catch (const std::bad_alloc &) {
        short_of_memory = true;
      }
    }
    unmap_presence(p);
  });
  if (short_of_memory) return Status::no_memory;
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  for (size_t i = 0; i < nodes.size() && i < max; i++) {
    out[i] = RemoteNode{};
    out[i].node = nodes[i];
    std::snprintf(out[i].cntlr_name, sizeof out[i].cntlr_name, "shm0");
    out[i].hwaddr = nodes[i];
    out[i].active = true;
  }
  *count = nodes.size();
  return Status::ok;
}

}  // namespace rsmkit::shm
