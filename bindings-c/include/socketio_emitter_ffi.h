enum sioe_status
 {
  SIOE_STATUS_OK = 0,
  SIOE_STATUS_NULL_ARGUMENT = 1,
  SIOE_STATUS_INVALID_UTF8 = 2,
  SIOE_STATUS_INVALID_JSON = 3,
  SIOE_STATUS_INVALID_ARGUMENT = 4,
  SIOE_STATUS_RESERVED_EVENT = 5,
  SIOE_STATUS_ENCODE = 6,
  SIOE_STATUS_CONNECTION = 7,
  SIOE_STATUS_REDIS = 8,
  SIOE_STATUS_TIMEOUT = 9,
  SIOE_STATUS_CLOSED = 10,
  SIOE_STATUS_NO_SUBSCRIBERS = 11,
  SIOE_STATUS_QUEUE_FULL = 12,
  SIOE_STATUS_FLUSH = 13,
  SIOE_STATUS_INTERNAL = 14,
  SIOE_STATUS_UNSUPPORTED = 15,
  SIOE_STATUS_DETECTION_FAILED = 16,
  SIOE_STATUS_PANIC = 99,
};
typedef int32_t sioe_status;
enum sioe_queue_full
 {
  SIOE_QUEUE_FULL_BLOCK = 0,
  SIOE_QUEUE_FULL_ERROR = 1,
};
typedef int32_t sioe_queue_full;
enum sioe_duration
 {
  SIOE_DURATION_CONNECT_TIMEOUT = 0,
  SIOE_DURATION_RESPONSE_TIMEOUT = 1,
  SIOE_DURATION_RECONNECT_MIN_DELAY = 2,
  SIOE_DURATION_RECONNECT_MAX_DELAY = 3,
};
typedef int32_t sioe_duration;
typedef struct sioe_buffers sioe_buffers;
typedef struct sioe_emitter sioe_emitter;
typedef struct sioe_error sioe_error;
typedef struct sioe_options sioe_options;
typedef struct sioe_output sioe_output;
typedef struct {
  uint64_t sent;
  uint64_t receivers;
  uint64_t reached_none;
  uint64_t failed;
} sioe_flush_report;
const char *sioe_version(void);
sioe_buffers *sioe_buffers_new(void);
void sioe_buffers_free(sioe_buffers *bufs);
sioe_status sioe_buffers_add(sioe_buffers *bufs,
                             const char *data,
                             size_t len,
                             size_t *index,
                             sioe_error **err);
size_t sioe_buffers_len(const sioe_buffers *bufs);
void sioe_buffers_clear(sioe_buffers *bufs);
sioe_status sioe_emitter_server_count(const sioe_emitter *em, uint64_t *count, sioe_error **err);
sioe_status sioe_emitter_fetch_sockets(const sioe_emitter *em,
                                       uint64_t timeout_ms,
                                       char **result_json,
                                       sioe_error **err);
sioe_status sioe_emitter_all_rooms(const sioe_emitter *em,
                                   uint64_t timeout_ms,
                                   char **result_json,
                                   sioe_error **err);
sioe_status sioe_emitter_server_side_emit_with_ack(const sioe_emitter *em,
                                                   const char *event_name,
                                                   size_t event_len,
                                                   const char *args_json,
                                                   size_t args_len,
                                                   const sioe_buffers *bufs,
                                                   uint64_t timeout_ms,
                                                   char **result_json,
                                                   sioe_error **err);
sioe_status sioe_emitter_emit_with_ack(const sioe_emitter *em,
                                       const char *event_name,
                                       size_t event_len,
                                       const char *args_json,
                                       size_t args_len,
                                       const sioe_buffers *bufs,
                                       uint64_t timeout_ms,
                                       char **result_json,
                                       sioe_error **err);
void sioe_string_free(char *s);
sioe_status sioe_connect(const char *url,
                         size_t url_len,
                         const sioe_options *opts,
                         sioe_emitter **out,
                         sioe_error **err);
sioe_status sioe_offline(const char *key, size_t key_len, sioe_emitter **out, sioe_error **err);
sioe_status sioe_offline_with(const sioe_options *opts, sioe_emitter **out, sioe_error **err);
void sioe_emitter_free(sioe_emitter *em);
bool sioe_emitter_is_closed(const sioe_emitter *em);
sioe_status sioe_emitter_of(const sioe_emitter *em,
                            const char *nsp,
                            size_t nsp_len,
                            sioe_emitter **out,
                            sioe_error **err);
sioe_status sioe_emitter_to(const sioe_emitter *em,
                            const char *room,
                            size_t room_len,
                            sioe_emitter **out,
                            sioe_error **err);
sioe_status sioe_emitter_to_id(const sioe_emitter *em,
                               int64_t room,
                               sioe_emitter **out,
                               sioe_error **err);
sioe_status sioe_emitter_except(const sioe_emitter *em,
                                const char *room,
                                size_t room_len,
                                sioe_emitter **out,
                                sioe_error **err);
sioe_status sioe_emitter_except_id(const sioe_emitter *em,
                                   int64_t room,
                                   sioe_emitter **out,
                                   sioe_error **err);
sioe_status sioe_emitter_volatile(const sioe_emitter *em, sioe_emitter **out, sioe_error **err);
sioe_status sioe_emitter_compress(const sioe_emitter *em,
                                  bool compress,
                                  sioe_emitter **out,
                                  sioe_error **err);
const char *sioe_output_command(const sioe_output *output);
const char *sioe_output_channel(const sioe_output *output, size_t *len);
const uint8_t *sioe_output_payload(const sioe_output *output, size_t *len);
size_t sioe_output_arg_count(const sioe_output *output);
const uint8_t *sioe_output_arg(const sioe_output *output, size_t index, size_t *len);
void sioe_output_free(sioe_output *output);
sioe_status sioe_emitter_encode_emit(const sioe_emitter *em,
                                     const char *event_name,
                                     size_t event_len,
                                     const char *args_json,
                                     size_t args_len,
                                     const sioe_buffers *bufs,
                                     sioe_output **out,
                                     sioe_error **err);
sioe_status sioe_emitter_encode_server_side_emit(const sioe_emitter *em,
                                                 const char *event_name,
                                                 size_t event_len,
                                                 const char *args_json,
                                                 size_t args_len,
                                                 const sioe_buffers *bufs,
                                                 sioe_output **out,
                                                 sioe_error **err);
sioe_status sioe_emitter_encode_sockets_join(const sioe_emitter *em,
                                             const char *rooms_json,
                                             size_t rooms_len,
                                             sioe_output **out,
                                             sioe_error **err);
sioe_status sioe_emitter_encode_sockets_leave(const sioe_emitter *em,
                                              const char *rooms_json,
                                              size_t rooms_len,
                                              sioe_output **out,
                                              sioe_error **err);
sioe_status sioe_emitter_encode_disconnect_sockets(const sioe_emitter *em,
                                                   bool close,
                                                   sioe_output **out,
                                                   sioe_error **err);
sioe_status sioe_error_code(const sioe_error *err);
const char *sioe_error_message(const sioe_error *err);
size_t sioe_error_failure_count(const sioe_error *err);
bool sioe_error_failure(const sioe_error *err, size_t index, uint64_t *ticket, sioe_status *status);
void sioe_error_free(sioe_error *err);
const char *sioe_status_name(int32_t status);
sioe_status sioe_emitter_emit(const sioe_emitter *em,
                              const char *event_name,
                              size_t event_len,
                              const char *args_json,
                              size_t args_len,
                              const sioe_buffers *bufs,
                              uint64_t *receivers,
                              sioe_error **err);
sioe_status sioe_emitter_enqueue(const sioe_emitter *em,
                                 const char *event_name,
                                 size_t event_len,
                                 const char *args_json,
                                 size_t args_len,
                                 const sioe_buffers *bufs,
                                 uint64_t *ticket,
                                 sioe_error **err);
sioe_status sioe_emitter_server_side_emit(const sioe_emitter *em,
                                          const char *event_name,
                                          size_t event_len,
                                          const char *args_json,
                                          size_t args_len,
                                          const sioe_buffers *bufs,
                                          uint64_t *receivers,
                                          sioe_error **err);
sioe_status sioe_emitter_sockets_join(const sioe_emitter *em,
                                      const char *rooms_json,
                                      size_t rooms_len,
                                      uint64_t *receivers,
                                      sioe_error **err);
sioe_status sioe_emitter_sockets_leave(const sioe_emitter *em,
                                       const char *rooms_json,
                                       size_t rooms_len,
                                       uint64_t *receivers,
                                       sioe_error **err);
sioe_status sioe_emitter_disconnect_sockets(const sioe_emitter *em,
                                            bool close,
                                            uint64_t *receivers,
                                            sioe_error **err);
sioe_status sioe_emitter_flush(const sioe_emitter *em,
                               uint64_t *sent,
                               uint64_t *receivers,
                               sioe_error **err);
sioe_status sioe_emitter_flush_timeout(const sioe_emitter *em,
                                       double timeout_ms,
                                       sioe_flush_report *report,
                                       sioe_error **err);
sioe_status sioe_emitter_close(const sioe_emitter *em,
                               uint64_t *sent,
                               uint64_t *receivers,
                               sioe_error **err);
sioe_status sioe_emitter_close_timeout(const sioe_emitter *em,
                                       double timeout_ms,
                                       sioe_flush_report *report,
                                       sioe_error **err);
sioe_options *sioe_options_new(void);
void sioe_options_free(sioe_options *opts);
sioe_status sioe_options_set_key(sioe_options *opts,
                                 const char *key,
                                 size_t key_len,
                                 sioe_error **err);
sioe_status sioe_options_set_adapter(sioe_options *opts,
                                     const char *adapter,
                                     size_t adapter_len,
                                     sioe_error **err);
sioe_status sioe_options_set_subscription_mode(sioe_options *opts,
                                               const char *mode,
                                               size_t mode_len,
                                               sioe_error **err);
sioe_status sioe_options_add_cluster_node(sioe_options *opts,
                                          const char *url,
                                          size_t url_len,
                                          sioe_error **err);
sioe_status sioe_options_set_sentinel_master(sioe_options *opts,
                                             const char *master,
                                             size_t master_len,
                                             sioe_error **err);
sioe_status sioe_options_add_sentinel_node(sioe_options *opts,
                                           const char *url,
                                           size_t url_len,
                                           sioe_error **err);
sioe_status sioe_options_set_tls_ca_pem(sioe_options *opts,
                                        const char *pem,
                                        size_t pem_len,
                                        sioe_error **err);
sioe_status sioe_options_set_connect_timeout_ms(sioe_options *opts, uint64_t ms, sioe_error **err);
sioe_status sioe_options_set_response_timeout_ms(sioe_options *opts, uint64_t ms, sioe_error **err);
sioe_status sioe_options_set_duration_ms(sioe_options *opts,
                                         int32_t which,
                                         double ms,
                                         sioe_error **err);
sioe_status sioe_options_set_reconnect(sioe_options *opts,
                                       uint64_t min_delay_ms,
                                       uint64_t max_delay_ms,
                                       size_t attempts,
                                       sioe_error **err);
sioe_status sioe_options_set_queue(sioe_options *opts,
                                   size_t capacity,
                                   int32_t when_full,
                                   sioe_error **err);
sioe_status sioe_options_set_queue_max_bytes(sioe_options *opts,
                                             size_t max_bytes,
                                             sioe_error **err);
sioe_status sioe_options_set_max_payload_bytes(sioe_options *opts,
                                               size_t max_bytes,
                                               sioe_error **err);
sioe_status sioe_options_set_require_receivers(sioe_options *opts, bool require, sioe_error **err);
sioe_status sioe_options_set_persistent(sioe_options *opts, bool persistent, sioe_error **err);
sioe_status sioe_options_set_stream_name(sioe_options *opts,
                                         const char *name,
                                         size_t name_len,
                                         sioe_error **err);
sioe_status sioe_options_set_stream_count(sioe_options *opts, uint32_t count, sioe_error **err);
sioe_status sioe_options_set_max_len(sioe_options *opts, uint64_t max_len, sioe_error **err);
sioe_status sioe_options_set_streams_version(sioe_options *opts,
                                             const char *version,
                                             size_t version_len,
                                             sioe_error **err);
sioe_status sioe_options_set_compat(sioe_options *opts,
                                    const char *compat,
                                    size_t compat_len,
                                    sioe_error **err);
