// statefork's native watchdog (--hang-stacks): a plain OS thread, no second JavaScript isolate.
// It watches the heartbeat counter the main thread bumps (a SharedArrayBuffer); once it has
// stood still for stallMs, it asks V8 to interrupt the main thread (Isolate::RequestInterrupt,
// callable from any thread). At its next interrupt check (a loop's back edge, a regular
// expression's backtracking, Atomics.wait) the main thread runs OnInterrupt, which reads its own
// JavaScript frames (StackTrace::CurrentStackTrace) and hands them back. A main thread blocked in
// a system call takes no interrupt: after pauseWaitMs the thread writes a note instead, and the
// master adds the kernel's view. Either way one line goes to the master on its fd, in the
// watchdog protocol (machines/watchdog-protocol.ts). The interrupt never calls into JavaScript.
//
// V8's API, not Node-API: one build per Node ABI (process.versions.modules), loaded by that
// number (src/worker/watchdog.ts), with the watchdog thread as the fallback.
#include <node.h>
#include <v8.h>

#include <errno.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxFrames = 32;          // MAX_FRAMES
constexpr size_t kMaxText = 2000;       // MAX_REASON: a name or a URL at most
constexpr size_t kMaxLine = 64 * 1024;  // WATCHDOG_MAX_LINE, with the newline
constexpr auto kLookEvery = std::chrono::milliseconds(100);

struct Watchdog {
  v8::Isolate* isolate;
  std::shared_ptr<v8::BackingStore> beats;
  int fd;
  long stall_ms;
  long pause_wait_ms;
  // The note when no frame came in time, worded by the JavaScript side (src/worker/watchdog.ts).
  std::string blocked_note;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  // Set by the thread when it asks for the stack, cleared once it has it or gave up.
  bool wanted = false;
  bool captured = false;
  std::string frames;
  std::thread thread;
};

// A JSON string's contents: quotes, backslashes and C0 escaped; at most kMaxText bytes, never cut
// inside a UTF-8 sequence.
void AppendJsonText(std::string& out, const std::string& text) {
  size_t end = text.size() < kMaxText ? text.size() : kMaxText;
  while (end < text.size() && end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) end--;
  for (size_t i = 0; i < end; i++) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
}

std::string Utf8(v8::Isolate* isolate, v8::Local<v8::String> s) {
  if (s.IsEmpty()) return std::string();
  v8::String::Utf8Value value(isolate, s);
  return *value ? std::string(*value, value.length()) : std::string();
}

// On the main thread, at an interrupt: its frames, innermost first, as the protocol's JSON array.
void OnInterrupt(v8::Isolate* isolate, void* data) {
  auto* w = static_cast<Watchdog*>(data);
  std::lock_guard<std::mutex> lock(w->mutex);
  if (!w->wanted) return;  // asked for, then given up on: the main thread was blocked meanwhile
  v8::HandleScope scope(isolate);
  v8::Local<v8::StackTrace> trace = v8::StackTrace::CurrentStackTrace(isolate, kMaxFrames, v8::StackTrace::kDetailed);
  std::string frames = "[";
  for (int i = 0; i < trace->GetFrameCount(); i++) {
    v8::Local<v8::StackFrame> frame = trace->GetFrame(isolate, i);
    std::string fn = Utf8(isolate, frame->GetFunctionName());
    std::string url = Utf8(isolate, frame->GetScriptNameOrSourceURL());
    // As the inspector names a CommonJS module's script: a file URL.
    if (!url.empty() && url[0] == '/') url = "file://" + url;
    std::string item = "{\"fn\":\"";
    AppendJsonText(item, fn.empty() ? std::string("(anonymous)") : fn);
    item += "\",\"url\":\"";
    AppendJsonText(item, url);
    item += "\",\"line\":" + std::to_string(frame->GetLineNumber() < 0 ? 0 : frame->GetLineNumber());
    item += ",\"column\":" + std::to_string(frame->GetColumn() < 0 ? 0 : frame->GetColumn()) + "}";
    // The outermost frames go first when the line would not fit (room kept for the rest).
    if (frames.size() + item.size() + 200 >= kMaxLine) break;
    if (i > 0) frames += ',';
    frames += item;
  }
  frames += ']';
  w->frames = frames;
  w->captured = true;
  w->wake.notify_all();
}

void WriteLine(int fd, const std::string& line) {
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = write(fd, line.data() + off, line.size() - off);
    if (n > 0) {
      off += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
}

long Since(Clock::time_point t) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

void Watch(Watchdog* w) {
  auto* counter = static_cast<std::atomic<int32_t>*>(w->beats->Data());
  int32_t last = counter->load();
  auto still_since = Clock::now();
  bool reported = false;
  std::unique_lock<std::mutex> lock(w->mutex);
  while (!w->stopping) {
    w->wake.wait_for(lock, kLookEvery);
    if (w->stopping) break;
    int32_t now = counter->load();
    if (now != last) {
      last = now;
      still_since = Clock::now();
      reported = false;
      continue;
    }
    long stalled = Since(still_since);
    if (reported || stalled < w->stall_ms) continue;
    reported = true;
    auto asked = Clock::now();
    w->wanted = true;
    w->captured = false;
    w->isolate->RequestInterrupt(OnInterrupt, w);
    w->wake.wait_for(lock, std::chrono::milliseconds(w->pause_wait_ms), [w] { return w->captured || w->stopping; });
    w->wanted = false;
    if (w->stopping) break;
    std::string line = "{\"statefork\":1,\"kind\":\"stack\",\"stalledMs\":" + std::to_string(stalled) + ",\"captureMs\":" + std::to_string(Since(asked));
    if (w->captured) {
      line += ",\"frames\":" + w->frames + "}\n";
    } else {
      line += ",\"frames\":[],\"note\":\"";
      AppendJsonText(line, w->blocked_note);
      line += "\"}\n";
    }
    lock.unlock();
    WriteLine(w->fd, line);
    lock.lock();
  }
}

// The environment is going away (the worker exits): the thread is stopped and joined first, so
// it never asks a disposed isolate for an interrupt. The state is kept (a few bytes, at exit): an
// interrupt asked for and not yet run still finds it, and does nothing.
void Stop(void* data) {
  auto* w = static_cast<Watchdog*>(data);
  {
    std::lock_guard<std::mutex> lock(w->mutex);
    w->stopping = true;
    w->wake.notify_all();
  }
  if (w->thread.joinable()) w->thread.join();
}

// start(beats: SharedArrayBuffer, stallMs, fd, pauseWaitMs, blockedNote)
void Start(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  if (args.Length() < 5 || !args[0]->IsSharedArrayBuffer() || !args[1]->IsNumber() || !args[2]->IsNumber() || !args[3]->IsNumber() || !args[4]->IsString()) {
    isolate->ThrowException(v8::Exception::TypeError(v8::String::NewFromUtf8Literal(isolate, "start(beats, stallMs, fd, pauseWaitMs, blockedNote)")));
    return;
  }
  auto store = args[0].As<v8::SharedArrayBuffer>()->GetBackingStore();
  if (store->ByteLength() < 4) {
    isolate->ThrowException(v8::Exception::RangeError(v8::String::NewFromUtf8Literal(isolate, "beats must hold one Int32")));
    return;
  }
  auto* w = new Watchdog();
  w->isolate = isolate;
  w->beats = store;
  w->stall_ms = static_cast<long>(args[1]->IntegerValue(context).FromMaybe(0));
  w->fd = static_cast<int>(args[2]->Int32Value(context).FromMaybe(-1));
  w->pause_wait_ms = static_cast<long>(args[3]->IntegerValue(context).FromMaybe(1000));
  w->blocked_note = Utf8(isolate, args[4].As<v8::String>());
  w->thread = std::thread(Watch, w);
  node::AddEnvironmentCleanupHook(isolate, Stop, w);
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  exports->Set(context, v8::String::NewFromUtf8Literal(isolate, "start"), v8::FunctionTemplate::New(isolate, Start)->GetFunction(context).ToLocalChecked()).Check();
}
