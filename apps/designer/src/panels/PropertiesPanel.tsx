import type { GraphNode, NodeTypeDef } from '@reelflow/fbp-model';
import { useMemo, useState, type ChangeEvent } from 'react';
import { useBurstHistory } from '../store/burst.js';
import {
  paramErrors,
  paramFields,
  plainFieldMessage,
  readNumberText,
  type FieldSpec,
} from '../model/params.js';
import {
  selectDiagnostics,
  selectFocusNode,
  selectGraph,
  selectLibrary,
} from '../store/selectors.js';
import { useDesigner, useDesignerStore } from '../store/store.js';

/** Read an input's text as the field's value; empty means "use the default". */
function parseInput(field: FieldSpec, text: string): unknown {
  if (text === '') return undefined;
  if (field.kind === 'number') return Number.isNaN(Number(text)) ? text : Number(text);
  if (field.kind === 'enum') {
    const option = field.options.find((o) => String(o) === text);
    return option ?? text;
  }
  return text;
}

function rangeHint(field: FieldSpec): string {
  if (field.kind !== 'number') return '';
  const parts = [field.integer ? 'whole number' : 'number'];
  if (field.min !== undefined && field.max !== undefined) parts.push(`${field.min}–${field.max}`);
  else if (field.min !== undefined) parts.push(`≥ ${field.min}`);
  else if (field.max !== undefined) parts.push(`≤ ${field.max}`);
  return parts.join(', ');
}

/**
 * A number field as text, so what is typed stays visible: text that is not a number (letters,
 * "1e3" in a whole-number field) is refused with a hint under the field instead of vanishing.
 */
function NumberInput({
  field,
  common,
  placeholder,
  value,
  onChange,
}: {
  field: FieldSpec & { kind: 'number' };
  common: Record<string, unknown>;
  placeholder: string;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  const [draft, setDraft] = useState<{ text: string; hint: string } | undefined>();
  return (
    <>
      <input
        {...common}
        className={draft?.hint ? 'field invalid' : String(common.className)}
        aria-invalid={Boolean(draft?.hint) || Boolean(common['aria-invalid'])}
        type="text"
        inputMode={field.integer ? 'numeric' : 'decimal'}
        placeholder={placeholder}
        value={draft ? draft.text : value === undefined ? '' : String(value)}
        onChange={(e) => {
          const text = e.target.value;
          if (text.trim() === '') {
            setDraft(undefined);
            onChange(undefined);
            return;
          }
          const read = readNumberText(field, text);
          // The text stays as typed while it is a number ("1." on the way to "1.5").
          if ('value' in read) {
            setDraft({ text, hint: '' });
            onChange(read.value);
          } else setDraft({ text, hint: read.hint });
        }}
        onBlur={() => {
          if (draft && !draft.hint) setDraft(undefined);
        }}
      />
      {draft?.hint && (
        <span className="form-error" data-testid={`param-refused-${field.name}`} role="alert">
          {draft.hint}
        </span>
      )}
    </>
  );
}

function FieldInput({
  field,
  value,
  invalid,
  onChange,
}: {
  field: FieldSpec;
  value: unknown;
  invalid: boolean;
  onChange: (v: unknown) => void;
}) {
  const common = {
    'data-testid': `param-${field.name}`,
    id: `param-${field.name}`,
    'aria-invalid': invalid,
    className: invalid ? 'field invalid' : 'field',
  };
  const placeholder = field.default !== undefined ? String(field.default) : '';
  const onText = (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    onChange(parseInput(field, e.target.value));
  switch (field.kind) {
    case 'enum':
      return (
        <select {...common} value={value === undefined ? '' : String(value)} onChange={onText}>
          {!field.required && <option value="">default ({placeholder || 'none'})</option>}
          {field.options.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
          {value !== undefined && !field.options.some((o) => String(o) === String(value)) && (
            <option value={String(value)}>{String(value)} (invalid)</option>
          )}
        </select>
      );
    case 'boolean':
      return (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
    case 'number':
      return (
        <NumberInput
          field={field}
          common={common}
          placeholder={placeholder}
          value={value}
          onChange={onChange}
        />
      );
    case 'json':
      return (
        <input
          {...common}
          type="text"
          placeholder={placeholder}
          defaultValue={value === undefined ? '' : JSON.stringify(value)}
          onBlur={(e) => {
            try {
              onChange(e.target.value === '' ? undefined : JSON.parse(e.target.value));
            } catch {
              onChange(e.target.value);
            }
          }}
        />
      );
    default:
      return (
        <input
          {...common}
          type="text"
          placeholder={placeholder}
          value={value === undefined ? '' : String(value)}
          onChange={onText}
        />
      );
  }
}

function NodeForm({ node, def }: { node: GraphNode; def: NodeTypeDef }) {
  const store = useDesignerStore();
  const diagnostics = useDesigner(selectDiagnostics);
  const fields = paramFields(def);
  const errors = useMemo(() => paramErrors(def, node.params), [def, node.params]);
  const [label, setLabel] = useState(node.label ?? '');
  const historyFor = useBurstHistory();
  const setParam = (name: string, value: unknown) => {
    const params = { ...node.params };
    if (value === undefined) delete params[name];
    else params[name] = value;
    store.getState().dispatch([{ kind: 'set-params', id: node.id, params }], historyFor(name));
  };
  const other = diagnostics.filter(
    (d) =>
      (d.element.id === node.id || d.element.id.startsWith(`${node.id}.`)) &&
      !d.property?.startsWith('params.'),
  );
  return (
    <div className="form">
      <div className="form-head">
        <span className={`type-dot kind-${def.firing}`} />
        <div>
          <div className="form-title">{def.title}</div>
          <div className="form-desc">{def.description}</div>
        </div>
      </div>
      <label className="form-row">
        <span className="form-label">Id</span>
        <input className="field" value={node.id} readOnly />
      </label>
      <label className="form-row">
        <span className="form-label">Label</span>
        <input
          className="field"
          data-testid="param-label"
          value={label}
          placeholder={def.title}
          onChange={(e) => setLabel(e.target.value)}
          onBlur={() => store.getState().dispatch([{ kind: 'set-label', id: node.id, label }])}
        />
      </label>
      <h3 className="form-section">Parameters</h3>
      {fields.length === 0 && <p className="muted">This node type has no parameters.</p>}
      {fields.map((f) => {
        // Validation knows cross-field rules (crf range per codec); the local parse answers at once.
        const fromRules = diagnostics
          .filter((d) => d.element.id === node.id && d.property === `params.${f.name}`)
          .map((d) => d.message.replace(/^.*?params\.[\w.]+: /, ''));
        // One message per field, in the node's words when it has its own.
        const local = errors.get(f.name);
        const error = plainFieldMessage(f, local !== undefined ? [...fromRules, local] : fromRules);
        return (
          <div className="form-row" key={f.name}>
            <label className="form-label" htmlFor={`param-${f.name}`} title={f.description}>
              {f.name}
              {f.required && <span className="req">*</span>}
            </label>
            <FieldInput
              field={f}
              value={node.params[f.name]}
              invalid={error !== undefined}
              onChange={(v) => setParam(f.name, v)}
            />
            <span className="form-hint">
              {[
                rangeHint(f),
                f.default !== undefined ? `default ${String(f.default)}` : '',
                f.description ?? '',
              ]
                .filter(Boolean)
                .join(' · ')}
            </span>
            {error && (
              <span className="form-error" data-testid={`param-error-${f.name}`} role="alert">
                {error}
              </span>
            )}
          </div>
        );
      })}
      {errors.get('') && <p className="form-error">{errors.get('')}</p>}
      {other.length > 0 && (
        <ul className="form-issues">
          {other.map((d, i) => (
            <li key={i} className={`sev-${d.severity}`}>
              {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The properties of the selected node, as a form generated from its parameter schema. */
export function PropertiesPanel() {
  const focus = useDesigner(selectFocusNode);
  const graph = useDesigner(selectGraph);
  const library = useDesigner(selectLibrary);
  const node = focus ? graph.nodes.find((n) => n.id === focus) : undefined;
  const def = node && library.get(node.type);
  return (
    <section className="properties" data-testid="properties">
      {!node && <p className="empty">Select one node to edit its properties.</p>}
      {node && !def && <p className="empty">Unknown node type “{node.type}”.</p>}
      {node && def && <NodeForm key={`${node.id}:${node.label ?? ''}`} node={node} def={def} />}
    </section>
  );
}
