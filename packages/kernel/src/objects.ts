/**
 * The kernel objects user space holds fds to, besides programs and links:
 * maps (with the BTF that describes them) and perf events.
 */
import type { Btf, TypeId } from '@bpflab/btf';
import type { BpfMap, MapStore, PerfEventBuffer } from '@bpflab/maps';
import { RefCounted } from './internal/refcount';

/** A live map as the kernel holds it: the map and the BTF of its key and value. */
export class KernelMap extends RefCounted {
  readonly kind = 'map';

  constructor(
    private readonly store: MapStore,
    readonly map: BpfMap,
    /** BTF the map was created with (`btf_fd`) */
    readonly btf: Btf | undefined,
    /** `btf_key_type_id` */
    readonly keyType: TypeId | undefined,
    /** `btf_value_type_id` */
    readonly valueType: TypeId | undefined,
  ) {
    super();
  }

  describe(): string {
    return this.map.name === '' ? `map #${this.map.id}` : `map ${this.map.name}`;
  }

  /**
   * The map is destroyed with its last reference, unless a map of maps
   * still holds it (it then lives as long as the kernel).
   */
  protected onLastRelease(): void {
    if (this.heldByOuterMap()) return;
    this.store.destroy(this.map);
  }

  private heldByOuterMap(): boolean {
    for (const m of this.store.list()) {
      if (m.kind === 'array_of_maps') {
        for (let i = 0; i < m.maxEntries; i++) if (m.innerAt(i) === this.map) return true;
      } else if (m.kind === 'hash_of_maps') {
        let key = m.getNextKey(null);
        while (key.ok) {
          if (m.innerOf(key.value) === this.map) return true;
          key = m.getNextKey(key.value);
        }
      }
    }
    return false;
  }
}

/** A `perf_event_open(PERF_COUNT_SW_BPF_OUTPUT)` event: a buffer of samples for one CPU. */
export class PerfEventObject extends RefCounted {
  readonly kind = 'perf_event';

  constructor(readonly event: PerfEventBuffer) {
    super();
  }

  describe(): string {
    return `perf event on cpu ${this.event.cpu}`;
  }

  protected onLastRelease(): void {
    // a perf event buffer holds no simulated memory
  }
}
