package io.hotswap.core.stream;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Store writes made while one record is processed, undone together when that record is rejected
 * as a whole. A batch of changes checks and records its items one after another (each sees the
 * ones before it, as separate commands would); if any item fails, {@link #rollback} restores every
 * store it wrapped to where it was before {@link #begin}, so a rejected batch leaves no trace.
 * Outside {@code begin}…{@code commit}/{@code rollback} the wrapped stores behave exactly like the
 * stores they wrap. Used on one stream thread only.
 */
public final class UndoLog {

  private final Deque<Runnable> undo = new ArrayDeque<>();
  private boolean recording;

  /** Starts recording the wrapped stores' writes. */
  public void begin() {
    undo.clear();
    recording = true;
  }

  /** Keeps what was written since {@link #begin}. */
  public void commit() {
    undo.clear();
    recording = false;
  }

  /** Restores every wrapped store to where it was at {@link #begin}, newest write first. */
  public void rollback() {
    recording = false;
    while (!undo.isEmpty()) {
      undo.pop().run();
    }
  }

  /** A view of {@code store} whose writes this log can undo. */
  public <K, V> KeyValueStore<K, V> track(KeyValueStore<K, V> store) {
    return new Tracked<>(store);
  }

  private final class Tracked<K, V> implements KeyValueStore<K, V> {
    private final KeyValueStore<K, V> store;

    Tracked(KeyValueStore<K, V> store) {
      this.store = store;
    }

    /** Remembers the key's current value before a write changes it. */
    private void remember(K key) {
      if (!recording) {
        return;
      }
      V before = store.get(key);
      undo.push(before == null ? () -> store.delete(key) : () -> store.put(key, before));
    }

    @Override
    public void put(K key, V value) {
      remember(key);
      store.put(key, value);
    }

    @Override
    public V putIfAbsent(K key, V value) {
      remember(key);
      return store.putIfAbsent(key, value);
    }

    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
      entries.forEach(e -> put(e.key, e.value));
    }

    @Override
    public V delete(K key) {
      remember(key);
      return store.delete(key);
    }

    @Override
    public V get(K key) {
      return store.get(key);
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
      return store.range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
      return store.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
      return store.all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
      return store.reverseAll();
    }

    @Override
    public <S extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, S serializer) {
      return store.prefixScan(prefix, serializer);
    }

    @Override
    public long approximateNumEntries() {
      return store.approximateNumEntries();
    }

    @Override
    public String name() {
      return store.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
      throw new UnsupportedOperationException("a tracked view wraps a store the topology already initialised");
    }

    @Override
    public void flush() {
      store.flush();
    }

    @Override
    public void close() {
      store.close();
    }

    @Override
    public boolean persistent() {
      return store.persistent();
    }

    @Override
    public boolean isOpen() {
      return store.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound bound, QueryConfig config) {
      return store.query(query, bound, config);
    }

    @Override
    public Position getPosition() {
      return store.getPosition();
    }
  }
}
