// moneytrail workspace: the small script behind the server-rendered pages. Data from the case is
// hostile: it is only ever inserted as text (textContent, Cytoscape labels), never as HTML.
'use strict';
(function () {
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  async function call(method, url, body) {
    const opt = { method, credentials: 'same-origin', headers: {} };
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.headers['X-CSRF-Token'] = csrf;
      opt.body = JSON.stringify(body);
    }
    const r = await fetch(url, opt);
    let data = null;
    try { data = await r.json(); } catch (e) { data = null; }
    return { ok: r.ok, status: r.status, data };
  }
  const post = (url, body) => call('POST', url, body);
  const getJson = (url) => call('GET', url);
  const day = (secs) => secs ? new Date(secs * 1000).toISOString().slice(0, 10) : '';

  // ---- findings: selection and export -------------------------------------------------------
  function exportBundle(body) {
    const out = $('#export-result');
    out.textContent = 'Writing the bundle…';
    out.dataset.state = 'busy';
    post('/api/export', body).then((r) => {
      if (!r.ok) {
        out.textContent = 'Export failed: ' + (r.data && r.data.error || r.status);
        out.dataset.state = 'error';
        return;
      }
      const d = r.data;
      out.textContent = 'Bundle written to ' + d.dir + ': ' + d.findings + ' findings, ' + d.files +
        ' files, manifest SHA-256 ' + d.manifest_sha256 + '; verify: ' +
        (d.verify_problems === 0 ? 'OK (' + d.verified_files + ' files match)' : d.verify_problems + ' problems');
      out.dataset.state = d.verify_problems === 0 ? 'ok' : 'error';
      out.dataset.dir = d.dir;
      out.dataset.manifest = d.manifest_sha256;
    });
  }
  if ($('#select-page')) {
    $('#select-page').addEventListener('click', () => $$('input.pick').forEach((c) => { c.checked = true; }));
    $('#export-selected').addEventListener('click', () => {
      const ids = $$('input.pick').filter((c) => c.checked).map((c) => c.value);
      if (ids.length === 0) { $('#export-result').textContent = 'Select findings first.'; return; }
      exportBundle({ findings: ids });
    });
    $('#export-all').addEventListener('click', () => exportBundle({ all: true }));
  }

  // ---- finding: triage and notes --------------------------------------------------------------
  const tf = $('#triage-form');
  if (tf) {
    tf.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const status = $('#triage-status').value;
      const reason = $('#triage-reason').value;
      const version = Number(tf.dataset.version || 0);
      post('/api/status', { finding: tf.dataset.finding, status, reason, version }).then((r) => {
        const res = $('#triage-result');
        if (!r.ok) {
          res.textContent = (r.status === 409 ? 'Not saved, someone else changed it first: ' : 'Not saved: ') +
            (r.data && r.data.error || r.status);
          res.dataset.state = 'error';
          return;
        }
        tf.dataset.version = String(version + 1);
        const cur = $('#status-current');
        cur.textContent = status;
        cur.className = 'status status-' + status;
        $('#status-by').textContent = 'set by ' + r.data.analyst + ' at ' + r.data.at + ': ' + reason;
        res.textContent = 'Saved as log entry ' + r.data.seq + '.';
        res.dataset.state = 'ok';
      });
    });
  }
  const nf = $('#note-form');
  if (nf) {
    nf.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const text = $('#note-text').value;
      post('/api/note', { kind: nf.dataset.kind, id: nf.dataset.id, text }).then((r) => {
        if (!r.ok) { $('#note-result').textContent = 'Not saved: ' + (r.data && r.data.error || r.status); return; }
        const li = el('li');
        li.appendChild(el('span', r.data.analyst + ' · ' + r.data.at, 'who'));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('span', text, 'text'));
        $('#notes').appendChild(li);
        $('#note-text').value = '';
        $('#note-result').textContent = 'Saved as log entry ' + r.data.seq + '.';
      });
    });
  }

  // ---- graphs (explorer and query results) ----------------------------------------------------
  const style = [
    { selector: 'node', style: {
      'background-color': 'data(fill)', 'border-color': 'data(stroke)', 'border-width': 2, 'shape': 'data(shape)',
      'label': 'data(label)', 'text-wrap': 'wrap', 'text-max-width': 140, 'font-size': 9, 'text-valign': 'bottom',
      'text-margin-y': 3, 'width': 34, 'height': 26 } },
    { selector: 'node.expanded', style: { 'border-width': 4 } },
    { selector: 'edge', style: {
      'line-color': 'data(color)', 'target-arrow-color': 'data(color)', 'target-arrow-shape': 'triangle',
      'curve-style': 'bezier', 'line-style': 'data(style)', 'width': 'data(width)', 'label': 'data(label)',
      'font-size': 7, 'text-rotation': 'autorotate', 'color': '#333' } },
    { selector: '.hidden', style: { 'display': 'none' } },
    { selector: ':selected', style: { 'overlay-opacity': 0.2 } },
  ];
  function elementsOf(g) {
    const nodes = g.nodes.map((n) => ({ group: 'nodes', data: {
      id: n.id, fill: n.fill, stroke: n.stroke, shape: n.shape, title: n.title, detail: n.detail, cls: n.class,
      label: n.title + (n.detail ? '\n' + n.detail : '') } }));
    const edges = g.edges.map((e) => ({ group: 'edges', data: {
      id: e.id, source: e.source, target: e.target, color: e.color, style: e.style, label: e.label, kind: e.kind,
      count: e.count, total: e.total, cents: e.cents, first: e.first, last: e.last, provenance: e.provenance,
      width: e.cents > 0 ? Math.min(8, 1 + Math.log10(1 + e.cents / 100) / 1.5) : 1.5 } }));
    return { nodes, edges };
  }
  function addGraph(cy, g) {
    const { nodes, edges } = elementsOf(g);
    const fresh = nodes.filter((n) => cy.getElementById(n.data.id).empty());
    cy.add(fresh);
    cy.add(edges.filter((e) => cy.getElementById(e.data.id).empty() &&
      !cy.getElementById(e.data.source).empty() && !cy.getElementById(e.data.target).empty()));
    return fresh.length;
  }
  function newCy(container) {
    return cytoscape({ container, style, wheelSensitivity: 0.3, minZoom: 0.05, maxZoom: 4 });
  }
  function layout(cy) {
    cy.layout({ name: 'cose', animate: false, nodeDimensionsIncludeLabels: true, randomize: false }).run();
  }

  const ex = $('#explorer');
  if (ex) {
    const cy = newCy($('#cy'));
    window.mtCy = cy;
    const stats = $('#graph-stats');
    const list = $('#node-list');
    const details = $('#details');
    function refresh() {
      const n = cy.nodes().length, m = cy.edges().length;
      stats.textContent = n + ' nodes · ' + m + ' edges';
      stats.dataset.nodes = String(n);
      stats.dataset.edges = String(m);
      list.textContent = '';
      cy.nodes().forEach((node) => {
        const li = el('li');
        li.appendChild(el('span', node.data('title') + ' ', 'node-title'));
        li.appendChild(el('span', node.data('cls') + ' ', 'node-class'));
        const b = el('button', node.hasClass('expanded') ? 'expanded' : 'expand', 'expand');
        b.type = 'button';
        b.dataset.key = node.id();
        b.addEventListener('click', () => expand(node.id()));
        li.appendChild(b);
        list.appendChild(li);
      });
      applyTimebar();
    }
    function params(key) {
      const q = new URLSearchParams({ key });
      if ($('#f-from').value) q.set('from', $('#f-from').value);
      if ($('#f-to').value) q.set('to', $('#f-to').value);
      if ($('#f-min').value) q.set('min', $('#f-min').value);
      q.set('limit', $('#f-limit').value || '25');
      return q.toString();
    }
    function expand(key) {
      stats.dataset.state = 'busy';
      return getJson('/api/graph/expand?' + params(key)).then((r) => {
        stats.dataset.state = 'idle';
        if (!r.ok) { details.textContent = 'Cannot expand ' + key + ': ' + (r.data && r.data.error || r.status); return; }
        const added = addGraph(cy, r.data);
        cy.getElementById(key).addClass('expanded');
        if (added > 0) layout(cy);
        refresh();
        showNode(cy.getElementById(key), r.data.more);
      });
    }
    function showNode(node, more) {
      if (node.empty()) return;
      details.textContent = '';
      details.appendChild(el('h3', node.data('title')));
      details.appendChild(el('p', node.data('cls') + (node.data('detail') ? ' · ' + node.data('detail') : '')));
      if (more) details.appendChild(el('p', more + ' more counterparties not shown (raise the limit or filter)'));
      const m = node.id().match(/^(A|P|C):(.*)$/);
      if (m) {
        const a = el('a', 'Notes and details');
        a.href = '/entity/' + ({ A: 'account', P: 'person', C: 'company' })[m[1]] + '/' + encodeURIComponent(m[2]);
        details.appendChild(a);
      }
    }
    function showEdge(edge) {
      details.textContent = '';
      details.appendChild(el('h3', edge.data('kind') + ': ' + edge.source().data('title') + ' → ' + edge.target().data('title')));
      details.appendChild(el('p', edge.data('label')));
      if (edge.data('first')) details.appendChild(el('p', day(edge.data('first')) + ' – ' + day(edge.data('last'))));
      const ul = el('ul');
      (edge.data('provenance') || []).forEach((p) => ul.appendChild(el('li', p, 'prov')));
      details.appendChild(el('p', 'Source rows (file:line):'));
      details.appendChild(ul);
    }
    cy.on('tap', 'node', (ev) => expand(ev.target.id()));
    cy.on('tap', 'edge', (ev) => showEdge(ev.target));
    const bar = $('#timebar');
    function applyTimebar() {
      const t = Number(bar.value);
      $('#timebar-label').textContent = day(t);
      cy.edges().forEach((e) => {
        if (e.data('first') && e.data('first') > t) e.addClass('hidden'); else e.removeClass('hidden');
      });
    }
    bar.addEventListener('input', applyTimebar);
    function start(key) {
      if (!key) return;
      cy.elements().remove();
      expand(key);
    }
    $('#start-go').addEventListener('click', () => start($('#start-key').value.trim() || $('#start-suspect').value));
    $('#start-suspect').addEventListener('change', () => start($('#start-suspect').value));
    if (ex.dataset.finding) {
      getJson('/api/graph/finding/' + encodeURIComponent(ex.dataset.finding)).then((r) => {
        if (!r.ok) { details.textContent = 'Unknown finding'; return; }
        addGraph(cy, r.data);
        layout(cy);
        refresh();
      });
    } else if (ex.dataset.start) {
      start(ex.dataset.start);
    }
  }

  // ---- query console ---------------------------------------------------------------------------
  if ($('#query-text')) {
    let library = [];
    getJson('/api/library').then((r) => { if (r.ok) library = r.data; });
    $('#library').addEventListener('change', () => {
      const q = library.find((x) => x.name === $('#library').value);
      if (q) $('#query-text').value = q.text;
    });
    $('#saved').addEventListener('change', () => {
      const n = $('#saved').value;
      if (!n) return;
      getJson('/api/saved-query?name=' + encodeURIComponent(n)).then((r) => { if (r.ok) $('#query-text').value = r.data.text; });
    });
    function qparams() {
      const p = {};
      $('#query-params').value.split('\n').forEach((line) => {
        const i = line.indexOf('=');
        if (i > 0) p[line.slice(0, i).trim()] = line.slice(i + 1).trim();
      });
      return p;
    }
    let qcy = null;
    function run(explain) {
      const status = $('#query-status');
      status.textContent = explain ? 'Planning…' : 'Running…';
      status.dataset.state = 'busy';
      post('/api/query', { text: $('#query-text').value, params: qparams(), explain }).then((r) => {
        const plan = $('#plan');
        if (!r.ok) {
          status.textContent = 'Error';
          status.dataset.state = 'error';
          plan.hidden = false;
          plan.textContent = r.data && r.data.error || String(r.status);
          return;
        }
        const d = r.data;
        plan.hidden = !explain;
        plan.textContent = d.plan;
        if (explain) { status.textContent = 'Plan shown.'; status.dataset.state = 'ok'; return; }
        const t = $('#result-table');
        t.textContent = '';
        const head = el('thead'), tr = el('tr');
        d.columns.forEach((c) => tr.appendChild(el('th', c)));
        head.appendChild(tr);
        t.appendChild(head);
        const body = el('tbody');
        d.rows.forEach((row) => {
          const r2 = el('tr');
          row.forEach((v) => r2.appendChild(el('td', v)));
          body.appendChild(r2);
        });
        t.appendChild(body);
        status.textContent = d.total_rows + ' rows in ' + d.millis + ' ms' +
          (d.total_rows > d.rows.length ? ' (first ' + d.rows.length + ' shown)' : '') +
          '; graph: ' + d.graph.nodes.length + ' nodes, ' + d.graph.edges.length + ' edges';
        status.dataset.state = 'ok';
        status.dataset.rows = String(d.total_rows);
        const box = $('#result-graph');
        if (d.graph.nodes.length > 0) {
          box.classList.add('shown');
          if (!qcy) qcy = newCy(box);
          qcy.elements().remove();
          addGraph(qcy, d.graph);
          layout(qcy);
        } else {
          box.classList.remove('shown');
        }
      });
    }
    $('#run').addEventListener('click', () => run(false));
    $('#explain').addEventListener('click', () => run(true));
    $('#save').addEventListener('click', () => {
      post('/api/query/save', { name: $('#save-name').value, text: $('#query-text').value }).then((r) => {
        $('#query-status').textContent = r.ok ? 'Saved for the case (log entry ' + r.data.seq + ').' :
          'Not saved: ' + (r.data && r.data.error || r.status);
      });
    });
  }
  document.body.dataset.ready = 'ok';
})();
