// SPDX-License-Identifier: Apache-2.0
package dev.stripewebhook.inbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Stores concurrent items in shared transactions (group commit): a caller that finds no commit
 * running becomes the leader, takes up to {@code limit} waiting items (its own among them), stores
 * them in one transaction and wakes their callers; items that arrive meanwhile wait for that commit
 * to end, and the first of them to wake leads the next one. Nobody waits on a timer: alone, a
 * caller commits at once.
 *
 * <p>Each caller returns only once its own item is committed, or with the failure of its batch. A
 * leader that fails, whatever it throws, fails the items of its batch and nothing else: no caller
 * is left waiting.
 *
 * @param <T> what is stored
 * @param <R> what storing one item answers
 */
final class GroupCommit<T, R> {

  /** Stores one batch in one transaction. */
  @FunctionalInterface
  interface Store<T, R> {
    /**
     * Stores every item of {@code batch} and {@link Item#succeed answers} each, or {@link Item#fail
     * fails} some of them; an item left unanswered fails with what this throws.
     */
    void store(List<Item<T, R>> batch) throws InboxException;
  }

  /** One caller's item and, once its batch ended, its answer. */
  static final class Item<T, R> {
    private final T value;
    private R result;
    private InboxException failure;
    private boolean done; // guarded by the GroupCommit's lock once the batch ended

    private Item(T value) {
      this.value = value;
    }

    T value() {
      return value;
    }

    void succeed(R result) {
      this.result = result;
      this.failure = null;
    }

    void fail(InboxException failure) {
      this.failure = failure;
      this.result = null;
    }

    private boolean answered() {
      return result != null || failure != null;
    }
  }

  private final int limit;
  private final String what;
  private final Store<T, R> store;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ended = lock.newCondition();
  private final ArrayDeque<Item<T, R>> waiting = new ArrayDeque<>(); // guarded by lock
  private boolean leading; // guarded by lock

  /**
   * @param limit the most items one transaction stores
   * @param what what a batch does, for the message of an unexpected failure
   */
  GroupCommit(int limit, String what, Store<T, R> store) {
    this.limit = limit;
    this.what = what;
    this.store = store;
  }

  /** Stores {@code value} in the next transaction; returns once that committed. */
  R submit(T value) throws InboxException {
    Item<T, R> item = new Item<>(value);
    lock.lock();
    try {
      waiting.add(item);
      while (true) {
        // Not interruptible: the item may be in a transaction that is committing now.
        while (leading && !item.done) {
          ended.awaitUninterruptibly();
        }
        if (item.done) {
          if (item.failure != null) {
            throw item.failure;
          }
          return item.result;
        }
        leading = true;
        List<Item<T, R>> batch = new ArrayList<>(Math.min(limit, waiting.size()));
        while (batch.size() < limit && !waiting.isEmpty()) {
          batch.add(waiting.poll());
        }
        lock.unlock();
        try {
          storeAll(batch);
        } finally {
          lock.lock();
          batch.forEach(done -> done.done = true);
          leading = false;
          ended.signalAll();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** How many items wait for the next transaction; for tests. */
  int waiting() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  /** Stores a batch; never throws: every item of it is answered after. */
  private void storeAll(List<Item<T, R>> batch) {
    InboxException failure = null;
    try {
      store.store(batch);
    } catch (InboxException e) {
      failure = e;
    } catch (RuntimeException | Error e) { // any: the other callers must get their answer
      failure = new InboxException("Event inbox cannot " + what + ": " + e, e);
    }
    for (Item<T, R> item : batch) {
      if (!item.answered()) {
        item.fail(
            failure != null
                ? failure
                : new InboxException("Event inbox cannot " + what + ": no answer for this item"));
      }
    }
  }
}
