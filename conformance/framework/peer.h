// rsmkit conformance: a peer process (exporter or importer on the other side
// of a test). It is this same binary run as `--peer`, started through the
// peer command template (--peer-cmd, e.g. "ip netns exec hostB {}"), and it
// talks a line protocol on stdin/stdout (peer_server.cc). Every exchange has
// a timeout; nothing waits by sleeping.
#ifndef RSMC_PEER_H
#define RSMC_PEER_H

#include <sys/types.h>

#include <string>

#include <rsmapi.h>

namespace rsmc {

class Peer {
 public:
  Peer() = default;
  ~Peer();
  Peer(const Peer &) = delete;
  Peer &operator=(const Peer &) = delete;

  // Starts the peer and waits for its hello; false with error() on failure.
  bool start(const std::string &extra_env = "");
  // Sends one command line, returns the reply line ("ok ...", "err <rc>",
  // "bad ..."), or "timeout"/"eof" when the peer does not answer in time.
  std::string call(const std::string &line, int timeout_ms = 10000);
  // The return code of a reply: 0 for "ok", the number after "err".
  static int rc_of(const std::string &reply);

  // Convenience wrappers; each returns the reply.
  // Export `pages` pages filled with pattern `seed`, publish it with `segid`
  // (0: chosen) and access list `acl` ("-" for none, else "node:octal,...").
  std::string export_segment(size_t pages, uint64_t seed, rsm_memseg_id_t segid = 0,
                             const std::string &acl = "-", unsigned flags = 0);
  // Reply of export_segment -> segment id (0 when it failed).
  static rsm_memseg_id_t segid_of(const std::string &reply);

  // Kills the peer with SIGKILL (a crash) and reaps it.
  void crash();
  // Asks the peer to exit and reaps it.
  void stop();

  rsm_node_id_t node() const { return node_; }
  pid_t pid() const { return pid_; }
  const std::string &error() const { return error_; }
  // What the peer wrote to stderr so far (for failure messages).
  std::string stderr_text();

 private:
  pid_t pid_ = -1;       // the process we forked (the peer, once exec'd)
  pid_t peer_pid_ = -1;  // the peer's own pid, from its hello
  int in_ = -1, out_ = -1, err_ = -1;
  std::string buf_, err_buf_, error_;
  rsm_node_id_t node_ = 0;
};

// Server side: the main loop of `rsm-conformance --peer`.
int peer_main();

}  // namespace rsmc

#endif  // RSMC_PEER_H
