// YAML files checked against a schema: every problem located at file:line:column.
import { parseYamlSource, schemaProblems, YamlError } from '../src/index';

const SCHEMA = {
  type: 'object',
  properties: { id: { type: 'string' }, points: { type: 'integer' }, kind: { enum: ['xdp', 'lsm'] } },
  required: ['id'],
  additionalProperties: false,
};

describe('parseYamlSource', () => {
  it('locates a syntax error', () => {
    expect(() => parseYamlSource('lab.yaml', 'id: x\npoints: [1, 2\n')).toThrow(YamlError);
    try {
      parseYamlSource('lab.yaml', 'id: x\npoints: [1, 2\n');
    } catch (e) {
      expect((e as YamlError).message).toMatch(/^lab\.yaml:\d+:\d+: /);
    }
  });

  it('locates schema problems at the offending node, with did-you-mean', () => {
    const src = parseYamlSource('lab.yaml', 'id: x\npoints: ten\nkidn: xdp\n');
    const problems = schemaProblems(src, SCHEMA);
    const text = new YamlError('lab.yaml', problems).message.split('\n');
    expect(text).toEqual([
      "lab.yaml:2:9: points: \"ten\" is not an integer",
      "lab.yaml:3:1: the file: unknown key 'kidn' (did you mean 'kind'?); known keys: id, points, kind",
    ]);
  });

  it('has no problems for a valid file', () => {
    expect(schemaProblems(parseYamlSource('lab.yaml', 'id: x\nkind: lsm\n'), SCHEMA)).toEqual([]);
  });
});
