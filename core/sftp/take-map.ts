/**
 * A Map for tables that churn — requests by id, replies by offset — whose values are let go
 * of when taken, so a table the Map left behind cannot keep them alive.
 *
 * Why: V8 rebuilds a Map's hash table as entries come and go, and the table it leaves behind
 * keeps its entries and a pointer to its successor (for iterators). A left-behind table that
 * had been promoted to the old generation is dead, but scavenges treat it as alive until the
 * next full collection, and so everything it points to: its successor tables, and through
 * their values the promises, closures and packet buffers of requests long answered. With the
 * runtime's external-memory setting (runtime-tuning.ts) full collections are rare, and a 1 GiB
 * SFTP download kept all of its packet buffers that way (~1 GB held, in about half of the
 * runs). Here each value sits in a slot of its own that take() empties, so a left-behind table
 * holds empty slots.
 */
interface Slot<V> {
  value: V | undefined;
}

export class TakeMap<K, V> {
  private readonly map = new Map<K, Slot<V>>();

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value at `key`, left in place. */
  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): this {
    const slot = this.map.get(key);
    if (slot === undefined) this.map.set(key, { value });
    else slot.value = value;
    return this;
  }

  /** Removes the entry at `key` and returns its value (undefined when there was none). */
  take(key: K): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    this.map.delete(key);
    const value = slot.value;
    slot.value = undefined;
    return value;
  }

  /** Keys in insertion order; taking entries while iterating is allowed. */
  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  /** Removes every entry and returns their values, in insertion order. */
  takeAll(): V[] {
    const out: V[] = [];
    for (const slot of this.map.values()) {
      out.push(slot.value as V);
      slot.value = undefined;
    }
    this.map.clear();
    return out;
  }
}
