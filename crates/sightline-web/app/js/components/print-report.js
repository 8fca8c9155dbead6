// "Print report": the server renders the query's printable report (PDF,
// both photos and two map views per sighting) from the logged query, and
// logs the download; the browser saves it. Rendering a long report takes a
// few seconds, so the button says what is happening and errors are shown
// beside it instead of saving an error as a file.
import { h, announce } from '../dom.js';
import { getBlob } from '../api.js';

export function printReportButton(q) {
  const label = 'Print report';
  const status = h('span', { class: 'small muted print-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'secondary', 'data-testid': 'print-report' }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Preparing report…';
    status.textContent = '';
    status.classList.remove('error-text');
    try {
      const pdf = await getBlob(`/api/v1/queries/${q.query_id}/report.pdf`);
      const url = URL.createObjectURL(pdf);
      const a = h('a', { href: url, download: `sightline-query-${q.query_id}.pdf`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      status.textContent = 'Report saved. Its download is logged.';
      announce('Report saved');
    } catch (p) {
      status.textContent = p.status === 404
        ? 'The report is available only in the session that ran the query. Run the query again to print it.'
        : p.message;
      status.classList.add('error-text');
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return h('span', { class: 'print-report' }, button, status);
}
