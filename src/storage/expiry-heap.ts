/**
 * A binary min-heap of entries by expiry time, for the sweep of `MemoryStorage`. Each entry
 * knows its position, so an entry that is overwritten or deleted leaves the heap at once
 * (O(log n)) instead of lingering as a stale node: the heap never holds more than the store.
 *
 * @module
 */

/** What the heap orders: an expiry time, and the slot the heap keeps up to date. @internal */
export interface Expiring {
  readonly expiresAt: number
  /** Index in the heap while the entry is in it; `-1` otherwise. */
  heapIndex: number
}

/** @internal */
export class ExpiryHeap<T extends Expiring> {
  readonly #items: T[] = []

  /** The entry that expires first, without removing it. */
  peek(): T | undefined {
    return this.#items[0]
  }

  push(item: T): void {
    item.heapIndex = this.#items.length
    this.#items.push(item)
    this.#up(item.heapIndex)
  }

  /** Removes `item` if it is in the heap; does nothing otherwise. */
  remove(item: T): void {
    const index = item.heapIndex
    if (index < 0 || this.#items[index] !== item) return
    item.heapIndex = -1
    const last = this.#items.pop() as T
    if (index === this.#items.length) return
    this.#items[index] = last
    last.heapIndex = index
    this.#down(index)
    this.#up(last.heapIndex)
  }

  #up(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1
      if (this.#at(parent).expiresAt <= this.#at(index).expiresAt) return
      this.#swap(index, parent)
      index = parent
    }
  }

  #down(index: number): void {
    for (;;) {
      const left = 2 * index + 1
      const right = left + 1
      let smallest = index
      if (left < this.#items.length && this.#at(left).expiresAt < this.#at(smallest).expiresAt) smallest = left
      if (right < this.#items.length && this.#at(right).expiresAt < this.#at(smallest).expiresAt) smallest = right
      if (smallest === index) return
      this.#swap(index, smallest)
      index = smallest
    }
  }

  #at(index: number): T {
    return this.#items[index] as T
  }

  #swap(a: number, b: number): void {
    const first = this.#at(a)
    const second = this.#at(b)
    this.#items[a] = second
    this.#items[b] = first
    second.heapIndex = a
    first.heapIndex = b
  }
}
