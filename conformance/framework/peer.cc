// rsmkit conformance: the client side of the peer process.
#include "framework/peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "framework/impl_loader.h"
#include "framework/suite.h"

namespace rsmc {

namespace {

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "rsm-conformance";
}

std::string shell_quote(const std::string &s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void drain(int fd, std::string *into) {
  char tmp[4096];
  for (;;) {
    ssize_t n = read(fd, tmp, sizeof tmp);
    if (n <= 0) break;
    into->append(tmp, static_cast<size_t>(n));
  }
}

}  // namespace

Peer::~Peer() {
  if (pid_ > 0) stop();
}

bool Peer::start(const std::string &extra_env) {
  int to_peer[2], from_peer[2], errp[2];
  if (pipe2(to_peer, O_CLOEXEC) || pipe2(from_peer, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
    error_ = "pipe failed";
    return false;
  }
  std::string cmd = shell_quote(self_exe()) + " --peer --impl " + shell_quote(impl_path());
  std::string tmpl = config().peer_cmd;
  size_t at = tmpl.find("{}");
  std::string full = at == std::string::npos ? tmpl + " " + cmd : tmpl.replace(at, 2, cmd);
  if (!extra_env.empty()) full = "env " + extra_env + " " + full;
  // exec: the shell becomes the template's command (env, ip netns exec, ...),
  // which execs the peer in turn, so pid_ is the peer itself and crash()
  // can wait for its death.
  full = "exec " + full;
  pid_ = fork();
  if (pid_ < 0) {
    error_ = "fork failed";
    return false;
  }
  if (pid_ == 0) {
    dup2(to_peer[0], 0);
    dup2(from_peer[1], 1);
    dup2(errp[1], 2);
    setpgid(0, 0);  // so crash() can kill the whole command (sh, netns exec, peer)
    execl("/bin/sh", "sh", "-c", full.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  close(to_peer[0]);
  close(from_peer[1]);
  close(errp[1]);
  in_ = to_peer[1];
  out_ = from_peer[0];
  err_ = errp[0];
  fcntl(err_, F_SETFL, O_NONBLOCK);
  std::string hello = call("hello", scaled_ms(20000));
  if (rc_of(hello) != 0) {
    error_ = "peer did not start (" + hello + "): " + stderr_text();
    return false;
  }
  if (auto p = hello.find("node="); p != std::string::npos)
    node_ = static_cast<rsm_node_id_t>(std::strtoul(hello.c_str() + p + 5, nullptr, 10));
  if (auto p = hello.find("pid="); p != std::string::npos)
    peer_pid_ = static_cast<pid_t>(std::strtol(hello.c_str() + p + 4, nullptr, 10));
  return true;
}

std::string Peer::call(const std::string &line, int timeout_ms) {
  if (pid_ <= 0) return "eof";
  std::string msg = line + "\n";
  if (write(in_, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) return "eof";
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(scaled_ms(timeout_ms));
  for (;;) {
    size_t nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string reply = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return reply;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "timeout";
    struct pollfd p = {out_, POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return "timeout";
    char tmp[4096];
    ssize_t n = read(out_, tmp, sizeof tmp);
    if (n <= 0) return "eof";
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

int Peer::rc_of(const std::string &reply) {
  if (reply.rfind("ok", 0) == 0) return 0;
  if (reply.rfind("err ", 0) == 0) return std::atoi(reply.c_str() + 4);
  return -1;
}

std::string Peer::export_segment(size_t pages, uint64_t seed, rsm_memseg_id_t segid,
                                 const std::string &acl, unsigned flags) {
  std::ostringstream s;
  s << "export " << pages << " " << seed << " " << segid << " " << flags << " " << acl;
  return call(s.str());
}

rsm_memseg_id_t Peer::segid_of(const std::string &reply) {
  // "ok <index> <segid>"
  std::istringstream s(reply);
  std::string ok;
  unsigned idx = 0;
  unsigned long id = 0;
  if (!(s >> ok >> idx >> id) || ok != "ok") return 0;
  return static_cast<rsm_memseg_id_t>(id);
}

void Peer::crash() {
  if (pid_ <= 0) return;
  // The peer reported its own pid; when a template command did not exec it,
  // it is not pid_, so kill it by that pid and wait until it is gone.
  if (peer_pid_ > 0 && peer_pid_ != pid_) kill(peer_pid_, SIGKILL);
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  if (peer_pid_ > 0 && peer_pid_ != pid_) {
    for (int i = 0; i < 1000 && kill(peer_pid_, 0) == 0; i++) {
      struct pollfd none = {-1, 0, 0};
      poll(&none, 0, 5);  // bounded: the orphan is reaped by init within ms
    }
  }
  pid_ = -1;
  close(in_);
  close(out_);
  close(err_);
}

void Peer::stop() {
  if (pid_ <= 0) return;
  call("exit", 5000);
  close(in_);
  int status = 0;
  for (int i = 0; i < 200; i++) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    struct pollfd p = {out_, POLLIN, 0};
    poll(&p, 1, 10);  // bounded: at most ~2 s in all
  }
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  close(out_);
  close(err_);
}

std::string Peer::stderr_text() {
  if (err_ >= 0) drain(err_, &err_buf_);
  return err_buf_;
}

}  // namespace rsmc
