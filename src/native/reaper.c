/*
 * statefork's reaper: what a PID 1 (or a child subreaper) needs and Node does not offer. An
 * orphan handed to the master by the kernel can only be collected by the master's waitpid();
 * libuv waits only for the pids it spawned. The master calls reap(pid) for one pid it has
 * checked is not one of libuv's, so libuv's children keep their exit status.
 *
 * Node-API only (no V8 or libuv headers): one build serves every Node line.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <node_api.h>

/* reap(pid): the wait status if that child had exited and is now collected, else null. */
static napi_value reap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t pid = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &pid) != napi_ok || pid <= 0) {
    /* Never waitpid(0) or waitpid(-1): those would take any child, libuv's too. */
    napi_throw_type_error(env, NULL, "reap(pid): pid must be a positive integer");
    return NULL;
  }
  int status = 0;
  pid_t got;
  do {
    got = waitpid((pid_t)pid, &status, WNOHANG);
  } while (got < 0 && errno == EINTR);
  napi_value out;
  if (got == (pid_t)pid) napi_create_int32(env, status, &out);
  else napi_get_null(env, &out);
  return out;
}

/* isSubreaper(): whether orphans of this process's descendants come to it (prctl). */
static napi_value is_subreaper(napi_env env, napi_callback_info info) {
  (void)info;
  int flag = 0;
  napi_value out;
  napi_get_boolean(env, prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0) == 0 && flag != 0, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "reap", NAPI_AUTO_LENGTH, reap, NULL, &fn);
  napi_set_named_property(env, exports, "reap", fn);
  napi_create_function(env, "isSubreaper", NAPI_AUTO_LENGTH, is_subreaper, NULL, &fn);
  napi_set_named_property(env, exports, "isSubreaper", fn);
  return exports;
}
