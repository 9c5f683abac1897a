#include "cluster/publisher.h"

#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <limits>

#include "cluster/jetstream_link.h"
#include "storage/log_format.h"

namespace ibstream::cluster {

namespace {

constexpr size_t kSourceOffset = 81;  // the tick record's source byte (FORMAT.md §2)

}  // namespace

std::string CursorPath(const std::string& store_root, const std::string& recorder_id) {
  return fs::JoinPath(fs::JoinPath(store_root, "nats"), recorder_id + ".cursor");
}

Result<int64_t> KeepJournalsFromCursor(fs::FileSystem* fs, const std::string& cursor_path) {
  auto cursor = LoadCursor(fs, cursor_path);
  if (!cursor.ok()) return cursor.status();
  if (!cursor->has_value() || !(*cursor)->started) return std::numeric_limits<int64_t>::min();
  return (*cursor)->next.hour_ns;
}

struct Publisher::Impl {
  Impl(fs::FileSystem* fs_in, const Clock& clock_in, PublisherOptions options_in)
      : fs(fs_in),
        clock(clock_in),
        options(std::move(options_in)),
        link(LinkOptions{options.url, options.credentials_file, options.stream,
                         StreamSubjects(options.subject_prefix), options.duplicate_window,
                         options.window, options.ack_timeout}),
        run_id(static_cast<uint64_t>(ToUnixNanos(clock.Now()))) {}

  void Run();
  // One step of tick publishing; true when it made progress (call again at once).
  bool PublishTicks();
  bool PublishGaps();
  bool PublishEvents();
  // Publishes and, on failure, counts it and pauses. True when acknowledged.
  bool Send(const std::vector<OutMessage>& messages, uint64_t* duplicates);
  // Waits until the writer has made durable every tick accepted so far; false when stopping.
  bool WaitDurable();
  // Sleeps `d` unless stopping; false when stopping.
  bool Pause(std::chrono::milliseconds d);
  void SaveCursor();
  void SetCursor(const PublishCursor& next);
  void UpdateLag(uint64_t backlog_files);
  bool stopping() {
    std::lock_guard lock(mu);
    return stop;
  }

  fs::FileSystem* fs;
  const Clock& clock;
  const PublisherOptions options;
  JetStreamLink link;
  const uint64_t run_id;

  // Publisher thread only.
  PublishCursor cursor;
  TailBatch batch;
  std::vector<OutMessage> out;
  std::tuple<int64_t, uint32_t, bool> run_first_file{std::numeric_limits<int64_t>::max(), 0, false};
  uint64_t run_ticks_published = 0;  // ticks of this run's journals acknowledged
  int64_t last_published_receive_ns = 0;
  bool current_sealed = false;  // a SEAL record was read in the cursor's journal
  uint64_t last_backlog = 0;
  bool failing = false;  // the last connect or publish failed (logged once per outage)

  mutable std::mutex mu;
  std::condition_variable wake;
  bool stop = false;
  bool abandon = false;
  std::deque<Event> events;  // guarded by mu
  uint64_t next_event_sequence = 1;
  PublisherStats stats;  // guarded by mu

  std::thread thread;
};

Result<std::unique_ptr<Publisher>> Publisher::Start(fs::FileSystem* fs, const Clock& clock,
                                                    PublisherOptions options) {
  if (!ValidSubjectPrefix(options.subject_prefix)) {
    return InvalidArgument("subject prefix \"" + options.subject_prefix + "\" is not valid");
  }
  if (!ValidRecorderId(options.recorder_id)) {
    return InvalidArgument("recorder id \"" + options.recorder_id + "\" is not valid");
  }
  if (options.stream.empty() || options.store_root.empty() || options.window == 0) {
    return InvalidArgument("publisher needs a stream, a store and a window of at least 1");
  }
  if (options.cursor_path.empty()) {
    options.cursor_path = CursorPath(options.store_root, options.recorder_id);
  }
  IBSTREAM_RETURN_IF_ERROR(fs::CreateDirs(fs, fs::ParentDir(options.cursor_path)));
  auto loaded = LoadCursor(fs, options.cursor_path);
  if (!loaded.ok()) return loaded.status();
  auto impl = std::make_unique<Impl>(fs, clock, std::move(options));
  if (loaded->has_value()) impl->cursor = **loaded;
  // The newest journal now is the writer's of this run (the store opened before): lag counts the
  // ticks of it and of later journals against the writer's durable position.
  auto journals = ListJournals(fs, impl->options.store_root);
  if (journals.ok() && !journals->empty()) impl->run_first_file = journals->back().key();
  impl->stats.cursor = impl->cursor.next;
  if (impl->options.keep_journals_from != nullptr && impl->cursor.started) {
    impl->options.keep_journals_from->store(impl->cursor.next.hour_ns);
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<Publisher>(new Publisher(std::move(impl)));
}

Publisher::Publisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Publisher::~Publisher() { Stop(); }

void Publisher::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->link.Close();
  std::lock_guard lock(impl_->mu);
  impl_->stats.connected = false;
}

void Publisher::AbandonForTest() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->abandon = true;
  }
  Stop();
}

void Publisher::PublishEvent(Event event) {
  std::lock_guard lock(impl_->mu);
  if (impl_->events.size() >= impl_->options.event_queue_capacity) {
    ++impl_->stats.events_dropped;
    return;
  }
  event.sequence = impl_->next_event_sequence++;
  impl_->events.push_back(std::move(event));
  impl_->wake.notify_all();
}

PublisherStats Publisher::stats() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats;
}

bool Publisher::Impl::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu);
  wake.wait_for(lock, d, [&] { return stop; });
  return !stop;
}

void Publisher::Impl::Run() {
  while (!stopping()) {
    if (!link.connected()) {
      const Status connected = link.Connect();
      if (!connected.ok()) {
        {
          std::lock_guard lock(mu);
          ++stats.publish_errors;
          stats.last_error = connected.ToString();
        }
        if (!failing) {
          spdlog::warn("event=nats_connect_failed error=\"{}\"", connected.ToString());
        }
        failing = true;
        UpdateLag(last_backlog);
        Pause(options.retry_interval);
        continue;
      }
      spdlog::info("event=nats_connected url={} stream={}", options.url, options.stream);
      failing = false;
      std::lock_guard lock(mu);
      stats.connected = true;
    }
    bool progressed = PublishEvents();
    progressed = PublishGaps() || progressed;
    progressed = PublishTicks() || progressed;
    if (!progressed) Pause(options.poll_interval);
  }
}

bool Publisher::Impl::Send(const std::vector<OutMessage>& messages, uint64_t* duplicates) {
  const Status sent = link.PublishAll(messages, duplicates);
  if (sent.ok()) {
    if (failing) spdlog::info("event=nats_publish_resumed");
    failing = false;
    std::lock_guard lock(mu);
    stats.duplicates += *duplicates;
    return true;
  }
  {
    std::lock_guard lock(mu);
    ++stats.publish_errors;
    stats.last_error = sent.ToString();
  }
  if (!failing) {
    spdlog::warn("event=nats_publish_failed messages={} error=\"{}\"", messages.size(),
                 sent.ToString());
  }
  failing = true;
  Pause(options.retry_interval);
  return false;
}

bool Publisher::Impl::WaitDurable() {
  if (!options.accepted_position || !options.durable_position) return true;
  const uint64_t accepted = options.accepted_position();
  while (options.durable_position() < accepted) {
    if (!Pause(options.poll_interval)) return false;
  }
  return true;
}

void Publisher::Impl::SaveCursor() {
  {
    std::lock_guard lock(mu);
    if (abandon) return;
  }
  const Status saved = cluster::SaveCursor(fs, options.cursor_path, cursor);
  std::lock_guard lock(mu);
  if (!saved.ok()) {
    ++stats.publish_errors;
    stats.last_error = saved.ToString();
    spdlog::error("event=nats_cursor_save_failed error=\"{}\"", saved.ToString());
    return;
  }
  ++stats.cursor_saves;
  stats.cursor = cursor.next;
}

void Publisher::Impl::SetCursor(const PublishCursor& next) {
  if (CompareToCursor(
          JournalFileRef{next.next.hour_ns, next.next.generation, next.next.salvaged, {}},
          cursor) != 0) {
    current_sealed = false;
  }
  cursor = next;
  if (options.keep_journals_from != nullptr) {
    options.keep_journals_from->store(cursor.next.hour_ns);
  }
  SaveCursor();
}

void Publisher::Impl::UpdateLag(uint64_t backlog_files) {
  last_backlog = backlog_files;
  const uint64_t durable = options.durable_position ? options.durable_position() : 0;
  std::lock_guard lock(mu);
  stats.backlog_journals = backlog_files;
  stats.lag_ticks = durable > run_ticks_published ? durable - run_ticks_published : 0;
  if (stats.lag_ticks == 0) {
    stats.lag_seconds = 0;
  } else if (last_published_receive_ns != 0) {
    stats.lag_seconds =
        static_cast<double>(ToUnixNanos(clock.Now()) - last_published_receive_ns) / 1e9;
  }
}

bool Publisher::Impl::PublishTicks() {
  auto journals = ListJournals(fs, options.store_root);
  if (!journals.ok()) {
    std::lock_guard lock(mu);
    ++stats.publish_errors;
    stats.last_error = journals.status().ToString();
    return false;
  }
  const auto& files = *journals;
  size_t index = 0;
  while (index < files.size() && cursor.started && CompareToCursor(files[index], cursor) < 0) {
    ++index;
  }
  UpdateLag(files.size() - index);
  if (index == files.size()) return false;
  const JournalFileRef& file = files[index];
  if (!cursor.started || CompareToCursor(file, cursor) > 0) {
    if (cursor.started) {
      spdlog::error("event=nats_journal_missed hour={} generation={} next={}", cursor.next.hour_ns,
                    cursor.next.generation, file.path);
      std::lock_guard lock(mu);
      ++stats.journals_missed;
    }
    PublishCursor next = cursor;
    next.started = true;
    next.next = JournalPosition{file.hour_ns, file.generation, file.salvaged, 0};
    next.offset = 0;
    SetCursor(next);
    return true;
  }
  const size_t newer = files.size() - 1 - index;
  Status read =
      ReadJournalFrom(fs, file, cursor.offset, cursor.next.record, options.window, &batch);
  if (!read.ok()) {
    std::lock_guard lock(mu);
    ++stats.publish_errors;
    stats.last_error = read.ToString();
    return false;
  }
  if (batch.entries.empty()) {
    // Nothing more in this file for now. It is finished when sealed, when the writer has moved
    // past it twice (its rotation into the next file sealed it), or when the next file holds
    // bytes (the writer switched) and a re-read after every accepted tick is durable finds
    // nothing more.
    current_sealed = current_sealed || batch.sealed;
    bool finished = newer >= 1 && (current_sealed || newer >= 2 || !options.durable_position);
    if (!finished && newer == 1) {
      auto size = fs->FileSize(files.back().path);
      if (size.ok() && *size > storage::log::kFileHeaderSize) {
        if (!WaitDurable()) return false;
        read = ReadJournalFrom(fs, file, cursor.offset, cursor.next.record, options.window, &batch);
        if (!read.ok()) return false;
        finished = batch.entries.empty();
      }
    }
    if (batch.entries.empty()) {
      if (!finished && batch.end_offset == cursor.offset) return false;
      PublishCursor next = cursor;
      if (finished) {
        next.next = JournalPosition{files[index + 1].hour_ns, files[index + 1].generation,
                                    files[index + 1].salvaged, 0};
        next.offset = 0;
      } else {  // damaged bytes or a SEAL record were passed
        next.offset = batch.end_offset;
        next.next.record = batch.next_record;
      }
      SetCursor(next);
      return true;
    }
  }
  if (!WaitDurable()) return false;
  out.resize(batch.entries.size());
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const TailBatch::Entry& e = batch.entries[i];
    const std::string_view record = batch.record(e);
    OutMessage& m = out[i];
    m.subject = TickSubject(options.subject_prefix, options.recorder_id, e.stream);
    m.id = TickMessageId(options.recorder_id, e.position);
    m.body.clear();
    AppendTickBody(e.position, record, &m.body);
    m.source = record[kSourceOffset] == 0 ? "live" : "backfill";
  }
  uint64_t duplicates = 0;
  if (!Send(out, &duplicates)) return false;
  current_sealed = current_sealed || batch.sealed;
  {
    std::lock_guard lock(mu);
    stats.ticks_published += batch.entries.size();
    stats.corrupt_bytes += batch.corrupt_bytes;
  }
  if (file.key() >= run_first_file) run_ticks_published += batch.entries.size();
  last_published_receive_ns = batch.entries.back().receive_ns;
  PublishCursor next = cursor;
  next.offset = batch.end_offset;
  next.next.record = batch.next_record;
  SetCursor(next);
  UpdateLag(files.size() - index);
  return true;
}

bool Publisher::Impl::PublishGaps() {
  if (!options.list_gaps) return false;
  std::vector<storage::GapRecord> changed;
  for (storage::GapRecord& gap : options.list_gaps()) {
    auto it = cursor.gaps.find(gap.id);
    if (it != cursor.gaps.end() && it->second == ToUnixNanos(gap.updated_at)) continue;
    changed.push_back(std::move(gap));
    if (changed.size() >= options.window) break;
  }
  if (changed.empty()) return false;
  std::vector<OutMessage> messages;
  messages.reserve(changed.size());
  for (const storage::GapRecord& gap : changed) {
    messages.push_back(OutMessage{GapsSubject(options.subject_prefix, options.recorder_id),
                                  GapMessageId(options.recorder_id, gap), EncodeGapBody(gap),
                                  nullptr});
  }
  uint64_t duplicates = 0;
  if (!Send(messages, &duplicates)) return false;
  PublishCursor next = cursor;
  for (const storage::GapRecord& gap : changed) next.gaps[gap.id] = ToUnixNanos(gap.updated_at);
  {
    std::lock_guard lock(mu);
    stats.gaps_published += changed.size();
  }
  SetCursor(next);
  return true;
}

bool Publisher::Impl::PublishEvents() {
  std::vector<Event> pending;
  {
    std::lock_guard lock(mu);
    for (size_t i = 0; i < events.size() && i < options.window; ++i) pending.push_back(events[i]);
  }
  if (pending.empty()) return false;
  std::vector<OutMessage> messages;
  messages.reserve(pending.size());
  for (const Event& event : pending) {
    messages.push_back(OutMessage{EventsSubject(options.subject_prefix, options.recorder_id),
                                  EventMessageId(options.recorder_id, run_id, event.sequence),
                                  EncodeEventBody(event), nullptr});
  }
  uint64_t duplicates = 0;
  if (!Send(messages, &duplicates)) return false;
  std::lock_guard lock(mu);
  events.erase(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(pending.size()));
  stats.events_published += pending.size();
  return true;
}

void ShutdownNatsLibrary() { nats_CloseAndWait(0); }

}  // namespace ibstream::cluster
