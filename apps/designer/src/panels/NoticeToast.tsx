import { useEffect, useState } from 'react';
import { selectNotice } from '../store/selectors.js';
import { useDesigner } from '../store/store.js';

/** The latest notice, shown for a few seconds. */
export function NoticeToast() {
  const notice = useDesigner(selectNotice);
  const [visible, setVisible] = useState<number | undefined>();
  useEffect(() => {
    if (!notice) return undefined;
    setVisible(notice.id);
    const timer = window.setTimeout(() => setVisible(undefined), 4000);
    return () => window.clearTimeout(timer);
  }, [notice]);
  if (!notice || visible !== notice.id) return null;
  return (
    <div
      className={`toast toast-${notice.tone}`}
      role="status"
      data-testid="notice"
      data-tone={notice.tone}
    >
      {notice.text}
    </div>
  );
}
