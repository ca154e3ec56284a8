// rsmkit reference librsm: rsm_intr_signal_post(3RSM), rsm_memseg_get_pollfd(3RSM)
// and rsm_intr_signal_wait_pollfd(3RSM) -- events between importers and exporters.
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/handle_table.h"
#include "core/import_common.h"

using namespace rsmkit;

namespace {

// Descriptors handed out by rsm_memseg_get_pollfd, so wait_pollfd can tell
// RSM entries (whose events it must consume) from ordinary descriptors.
struct PollRegistry {
  std::mutex mu;
  struct Entry {
    const BackendOps *ops;
    int refs;
  };
  std::unordered_map<int, Entry> fds;
};
PollRegistry &poll_registry() {
  static auto *r = new PollRegistry;
  return *r;
}

Kind kind_of(void *h) { return static_cast<Kind>(key_of(h) >> 56); }

// The event descriptor of an export or import handle, with its backend.
int event_fd_of(const char *fn, void *h, bool for_pollfd, int *fd, const BackendOps **ops,
                std::shared_ptr<ExportSeg> *e_out, std::shared_ptr<ImportSeg> *i_out) {
  if (kind_of(h) == Kind::export_seg) {
    auto e = exports().find(key_of(h));
    if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live segment handle");
    std::lock_guard<std::mutex> lk(e->mu);
    if (!e->be) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment destroyed");
    if (for_pollfd && e->state != ExportState::published && !RSMKIT_MUTANT("get_pollfd.unpublished_allowed"))
      return fail(fn, RSMERR_BAD_SEG_HNDL, "export segment is not published");
    *ops = e->ctlr->ops;
    *fd = (*ops)->export_event_fd(e->be);
    if (e_out) *e_out = e;
    return RSM_SUCCESS;
  }
  if (kind_of(h) == Kind::import_seg) {
    auto i = imports().find(key_of(h));
    if (!i) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live segment handle");
    std::lock_guard<std::mutex> lk(i->mu);
    if (!i->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
    *ops = i->ctlr->ops;
    *fd = (*ops)->import_event_fd(i->bi);
    if (i_out) *i_out = i;
    return RSM_SUCCESS;
  }
  return fail(fn, RSMERR_BAD_SEG_HNDL, "not a segment handle");
}

int poll_error(const char *fn, int err) {
  switch (err) {
    case EINTR: return fail(fn, RSMERR_INTERRUPTED, "interrupted by a signal");
    case EFAULT: return fail(fn, RSMERR_BAD_ADDR, "fds is not accessible");
    case ENOMEM: return fail(fn, RSMERR_INSUFFICIENT_MEM, "poll: out of memory");
    case EAGAIN: return fail(fn, RSMERR_INSUFFICIENT_RESOURCES, "poll: out of resources");
    default: return fail(fn, RSMERR_BAD_ARGS_ERRORS, "poll rejected the arguments");
  }
}

// Milliseconds left of a poll(2)-style timeout (negative = forever).
class Deadline {
 public:
  explicit Deadline(int timeout_ms)
      : forever_(timeout_ms < 0),
        end_(std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms)) {}
  int remaining() const {
    if (forever_) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
  }

 private:
  bool forever_;
  std::chrono::steady_clock::time_point end_;
};

}  // namespace

RSMKIT_API int rsm_intr_signal_post(void *im_memseg, uint_t flags) try {
  static const char fn[] = "rsm_intr_signal_post";
  bool no_accumulate = (flags & RSM_SIGPOST_NO_ACCUMULATE) != 0 && !RSMKIT_MUTANT("signal_post.no_accumulate_ignored");
  if (kind_of(im_memseg) == Kind::export_seg) {
    auto e = exports().find(key_of(im_memseg));
    if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live segment handle");
    std::lock_guard<std::mutex> lk(e->mu);
    if (!e->be) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment destroyed");
    Status s = e->ctlr->ops->export_signal(e->be, no_accumulate);
    return s == Status::ok ? RSM_SUCCESS : fail_status(fn, s, Op::signal_post);
  }
  if (kind_of(im_memseg) == Kind::import_seg) {
    auto i = imports().find(key_of(im_memseg));
    if (!i) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live segment handle");
    std::lock_guard<std::mutex> lk(i->mu);
    if (!i->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
    if (!RSMKIT_MUTANT("signal_post.abort_unchecked"))
      if (int rc = check_connection(fn, *i, false)) return rc;
    Status s = i->ctlr->ops->import_signal(i->bi, no_accumulate);
    return s == Status::ok ? RSM_SUCCESS : fail_status(fn, s, Op::signal_post);
  }
  return fail(fn, RSMERR_BAD_SEG_HNDL, "not a segment handle");
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_intr_signal_wait(void *im_memseg, int timeout) try {
  static const char fn[] = "rsm_intr_signal_wait";
  int fd = -1;
  const BackendOps *ops = nullptr;
  std::shared_ptr<ExportSeg> e;  // held so the descriptor stays open while we wait
  std::shared_ptr<ImportSeg> imp;
  if (int rc = event_fd_of(fn, im_memseg, false, &fd, &ops, &e, &imp)) return rc;
  if (fd < 0) return fail(fn, RSMERR_BAD_SEG_HNDL, "backend has no event endpoint");
  Deadline deadline(timeout);
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    int r = ::poll(&p, 1, deadline.remaining());
    if (r < 0) return poll_error(fn, errno);
    if (r == 0)
      return fail(fn, RSMKIT_MUTANT("signal_wait.timeout_code") ? RSMERR_INTERRUPTED : RSMERR_TIMEOUT,
                  "no event before the timeout");
    if (p.revents & POLLNVAL) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment went away");
    if (ops->event_consume(fd)) return RSM_SUCCESS;
    // Another waiter took the event: wait on for the time that is left.
  }
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_get_pollfd(void *memseg, struct pollfd *pfd) try {
  static const char fn[] = "rsm_memseg_get_pollfd";
  int fd = -1;
  const BackendOps *ops = nullptr;
  std::shared_ptr<ExportSeg> e;
  std::shared_ptr<ImportSeg> imp;
  if (int rc = event_fd_of(fn, memseg, true, &fd, &ops, &e, &imp)) return rc;
  if (!pfd || !addr_mapped(pfd, sizeof *pfd)) return fail(fn, RSMERR_BAD_ADDR, "pollfd is not writable");
  if (fd < 0) return fail(fn, RSMERR_BAD_SEG_HNDL, "backend has no event endpoint");
  {
    // The registry entry is the call's only allocation: made first, so an
    // out-of-memory failure leaves no reference counted.
    PollRegistry &r = poll_registry();
    std::lock_guard<std::mutex> lk(r.mu);
    auto &entry = r.fds[fd];
    entry.ops = ops;
    entry.refs++;
  }
  if (!RSMKIT_MUTANT("get_pollfd.not_counted")) {
    std::unique_lock<std::mutex> lk(e ? e->mu : imp->mu);
    if (e) e->pollfd_refs++;
    else imp->pollfd_refs++;
  }
  pfd->fd = fd;
  pfd->events = POLLRDNORM;
  pfd->revents = 0;
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_memseg_release_pollfd(void *memseg) try {
  static const char fn[] = "rsm_memseg_release_pollfd";
  int fd = -1;
  bool had_ref = false;
  auto take_ref = [](int &refs) {
    bool had = refs > 0 || RSMKIT_MUTANT("release_pollfd.underflow");
    if (had) refs--;
    return had;
  };
  // The descriptor is asked for only when a reference is held: a backend
  // may make its event endpoint on that first request (shm does), and a
  // release must not make one. An export that was unpublished meanwhile
  // still releases its references.
  if (kind_of(memseg) == Kind::export_seg) {
    auto e = exports().find(key_of(memseg));
    if (!e) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live segment handle");
    std::lock_guard<std::mutex> lk(e->mu);
    if (!e->be) return fail(fn, RSMERR_BAD_SEG_HNDL, "segment destroyed");
    had_ref = take_ref(e->pollfd_refs);
    if (had_ref) fd = e->ctlr->ops->export_event_fd(e->be);
  } else if (kind_of(memseg) == Kind::import_seg) {
    auto i = imports().find(key_of(memseg));
    if (!i) return fail(fn, RSMERR_BAD_SEG_HNDL, "not a live segment handle");
    std::lock_guard<std::mutex> lk(i->mu);
    if (!i->bi) return fail(fn, RSMERR_BAD_SEG_HNDL, "disconnected");
    had_ref = take_ref(i->pollfd_refs);
    if (had_ref) fd = i->ctlr->ops->import_event_fd(i->bi);
  } else {
    return fail(fn, RSMERR_BAD_SEG_HNDL, "not a segment handle");
  }
  // Releasing more often than obtained is a harmless no-op.
  if (had_ref) {
    PollRegistry &r = poll_registry();
    std::lock_guard<std::mutex> lk(r.mu);
    auto it = r.fds.find(fd);
    if (it != r.fds.end() && --it->second.refs <= 0) r.fds.erase(it);
  }
  return RSM_SUCCESS;
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)

RSMKIT_API int rsm_intr_signal_wait_pollfd(struct pollfd fds[], nfds_t nfds, int timeout,
                                           int *numfdsp) try {
  static const char fn[] = "rsm_intr_signal_wait_pollfd";
  if (numfdsp) {
    if (!addr_mapped(numfdsp, sizeof *numfdsp)) return fail(fn, RSMERR_BAD_ADDR, "numfdsp not writable");
    *numfdsp = 0;
  }
  // No array that long fits in memory (and its byte size would wrap).
  if (nfds > PTRDIFF_MAX / sizeof *fds) return fail(fn, RSMERR_BAD_ARGS_ERRORS, "nfds too large");
  if (nfds > 0 && (!fds || !addr_mapped(fds, sizeof *fds * nfds)))
    return fail(fn, RSMERR_BAD_ADDR, "fds is not accessible");
  // Which entries are RSM descriptors, looked up once under one lock (the
  // array may be long). Allocating it is this call's INSUFFICIENT_MEM.
  std::vector<const BackendOps *> rsm_ops(nfds, nullptr);
  {
    PollRegistry &reg = poll_registry();
    std::lock_guard<std::mutex> lk(reg.mu);
    if (!reg.fds.empty())
      for (nfds_t i = 0; i < nfds; i++) {
        auto it = reg.fds.find(fds[i].fd);
        if (it != reg.fds.end()) rsm_ops[i] = it->second.ops;
      }
  }
  Deadline deadline(timeout);
  for (;;) {
    int r = ::poll(fds, nfds, deadline.remaining());
    if (r < 0) return poll_error(fn, errno);
    if (r == 0) return fail(fn, RSMERR_TIMEOUT, "no event before the timeout");
    int count = 0;
    for (nfds_t i = 0; i < nfds; i++) {
      if (!fds[i].revents) continue;
      const BackendOps *ops = rsm_ops[i];
      if (ops && (fds[i].revents & (POLLIN | POLLRDNORM))) {
        // An RSM event is reported only if we consumed it; another waiter may
        // have taken it first.
        fds[i].revents =
            (RSMKIT_MUTANT("wait_pollfd.event_not_consumed") || ops->event_consume(fds[i].fd)) ? POLLRDNORM : 0;
        if (!fds[i].revents) continue;
      }
      count++;
    }
    if (count > 0) {
      if (numfdsp) *numfdsp = count + (RSMKIT_MUTANT("wait_pollfd.count_off_by_one") ? 1 : 0);
      return RSM_SUCCESS;
    }
    if (deadline.remaining() == 0) return fail(fn, RSMERR_TIMEOUT, "no event before the timeout");
  }
} RSMKIT_OOM_GUARD(RSMERR_INSUFFICIENT_MEM)
