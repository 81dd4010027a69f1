import { useEffect, useRef, useState } from 'react';
import { selectDialog } from '../store/selectors.js';
import { useDesigner, useDesignerStore } from '../store/store.js';

/**
 * The question on screen (`store.ask`): a confirmation, or a name to save as. Enter answers
 * with the confirming button, Escape cancels.
 */
export function ConfirmDialog() {
  const dialog = useDesigner(selectDialog);
  const store = useDesignerStore();
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const ok = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!dialog) return;
    setValue(dialog.input?.value ?? '');
    // Focus after the dialog is painted, so the key that opened it does not answer it.
    const frame = window.requestAnimationFrame(() => {
      if (input.current) {
        input.current.focus();
        input.current.select();
      } else ok.current?.focus();
    });
    return () => window.cancelAnimationFrame(frame);
  }, [dialog]);
  if (!dialog) return null;
  const answer = store.getState().answer;
  const confirm = () => answer({ choice: 'ok', ...(dialog.input ? { value } : {}) });
  return (
    <div
      className="overlay"
      role="dialog"
      aria-modal="true"
      aria-labelledby="confirm-title"
      data-testid="confirm"
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === 'Escape') answer({ choice: 'cancel' });
      }}
    >
      <form
        className="overlay-card dialog-card"
        onSubmit={(e) => {
          e.preventDefault();
          confirm();
        }}
      >
        <h2 id="confirm-title">{dialog.title}</h2>
        <p data-testid="confirm-text">{dialog.text}</p>
        {dialog.input && (
          <label className="form-row">
            <span className="form-label">{dialog.input.label}</span>
            <input
              ref={input}
              className="field"
              data-testid="confirm-input"
              value={value}
              onChange={(e) => setValue(e.target.value)}
            />
          </label>
        )}
        <div className="btn-row dialog-buttons">
          <button
            type="button"
            className="btn"
            data-testid="confirm-cancel"
            onClick={() => answer({ choice: 'cancel' })}
          >
            {dialog.cancel ?? 'Cancel'}
          </button>
          {dialog.alt && (
            <button
              type="button"
              className="btn"
              data-testid="confirm-alt"
              onClick={() => answer({ choice: 'alt' })}
            >
              {dialog.alt}
            </button>
          )}
          <button
            ref={ok}
            type="submit"
            className={`btn ${dialog.tone === 'danger' ? 'danger' : 'primary'}`}
            data-testid="confirm-ok"
          >
            {dialog.ok}
          </button>
        </div>
      </form>
    </div>
  );
}
