/**
 * Map helpers on the current CPU: lookup/update/delete, push/pop/peek,
 * `bpf_map_lookup_percpu_elem`, ring buffer and perf event output.
 */
import { HELPER } from '@bpflab/uapi';
import { defineFastHelper, defineHelper, type Helper } from '@bpflab/vm';
import { KernelError } from '../errors';
import { mapArg, mapArgOf } from './common';
import type { HelperEnv } from './env';

/** The map helpers by id. */
export function mapHelpers(env: HelperEnv): ReadonlyMap<number, Helper> {
  const cpu = (): number => env.frame().cpu;
  const ringOf = (sample: number, helper: string) => {
    const rb = env.maps.ringBufOf(sample);
    if (rb === undefined) {
      throw new KernelError('bad-call', `${helper}: ${sample} is not a reserved ring buffer sample (submitted twice? the verifier tracks this reference)`);
    }
    return rb;
  };
  return new Map<number, Helper>([
    [HELPER.map_lookup_elem, defineFastHelper('bpf_map_lookup_elem', (c) => mapArg(env, c, 1).lookupElem(c.argNumber(2), cpu()))],
    [
      HELPER.map_update_elem,
      defineFastHelper('bpf_map_update_elem', (c) => mapArg(env, c, 1).updateElem(c.argNumber(2), c.argNumber(3), c.arg(4), cpu())),
    ],
    [HELPER.map_delete_elem, defineFastHelper('bpf_map_delete_elem', (c) => mapArg(env, c, 1).deleteElem(c.argNumber(2), cpu()))],
    [HELPER.map_push_elem, defineFastHelper('bpf_map_push_elem', (c) => mapArg(env, c, 1).pushElem(c.argNumber(2), c.arg(3), cpu()))],
    [HELPER.map_pop_elem, defineFastHelper('bpf_map_pop_elem', (c) => mapArg(env, c, 1).popElem(c.argNumber(2), cpu()))],
    [HELPER.map_peek_elem, defineFastHelper('bpf_map_peek_elem', (c) => mapArg(env, c, 1).peekElem(c.argNumber(2), cpu()))],
    [
      HELPER.map_lookup_percpu_elem,
      defineFastHelper('bpf_map_lookup_percpu_elem', (c) => {
        const target = c.argLo(3);
        return target >= env.cpus ? 0 : mapArg(env, c, 1).lookupElem(c.argNumber(2), target);
      }),
    ],
    [
      HELPER.ringbuf_output,
      defineFastHelper('bpf_ringbuf_output', (c) => mapArgOf(env, c, 1, ['ringbuf'], 'bpf_ringbuf_output').output(c.argNumber(2), c.arg(3), c.arg(4))),
    ],
    [
      HELPER.ringbuf_reserve,
      defineFastHelper('bpf_ringbuf_reserve', (c) => mapArgOf(env, c, 1, ['ringbuf'], 'bpf_ringbuf_reserve').reserve(c.arg(2), c.arg(3))),
    ],
    [
      HELPER.ringbuf_submit,
      defineFastHelper('bpf_ringbuf_submit', (c) => {
        const sample = c.argNumber(1);
        ringOf(sample, 'bpf_ringbuf_submit').submit(sample, c.arg(2));
        return 0;
      }),
    ],
    [
      HELPER.ringbuf_discard,
      defineFastHelper('bpf_ringbuf_discard', (c) => {
        const sample = c.argNumber(1);
        ringOf(sample, 'bpf_ringbuf_discard').discard(sample, c.arg(2));
        return 0;
      }),
    ],
    [HELPER.ringbuf_query, defineHelper('bpf_ringbuf_query', (c) => mapArgOf(env, c, 1, ['ringbuf'], 'bpf_ringbuf_query').query(c.arg(2)))],
    [
      HELPER.perf_event_output,
      defineFastHelper('bpf_perf_event_output', (c) =>
        mapArgOf(env, c, 2, ['perf_event_array'], 'bpf_perf_event_output').output(cpu(), c.arg(3), c.argNumber(4), c.arg(5)),
      ),
    ],
  ]);
}
