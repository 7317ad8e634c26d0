// The composition board: groups as columns, the waiting list last, every candidate a card.
// A card is moved by dragging it to another column, or with the arrow keys (left/right)
// once it has focus; clicking it (or Enter) selects it for suggestions. Every move is
// sent to Python at once as the trigger "move"; the card moves here before the answer
// comes, and the next render (the judged board) replaces everything.

const escape = (text) => String(text ?? "").replace(/[&<>"']/g,
  (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));

function cardHtml(card, data) {
  const labels = data.labels;
  const classes = ["card"];
  if (card.locked) classes.push("locked");
  if (card.fixed) classes.push("fixed");
  if (card.issues.length) classes.push("bad");
  if (data.selected === card.id) classes.push("selected");
  const icons = (card.locked ? " 🔒" : "") + (card.colleagues.length ? " 🔗" : "") + (card.fixed ? " 📋" : "");
  const title = [card.domain, card.fixed ? labels.fixed : "", card.locked ? labels.locked : "", ...card.issues]
    .filter(Boolean).join("\n");
  const meta = [card.municipality, card.role].filter(Boolean).map(escape).join(" · ");
  return `<div class="${classes.join(" ")}" data-id="${card.id}" tabindex="0" role="listitem"
      draggable="${card.fixed ? "false" : "true"}" style="border-left-color:${escape(card.colour)}"
      title="${escape(title)}" aria-label="${escape(card.name)}">
    <div class="name">${card.rank ? card.rank + ". " : ""}${escape(card.name)}${icons}</div>
    ${meta ? `<div class="meta">${meta}</div>` : ""}
    ${card.colleagues.length ? `<div class="with">${escape(labels.with)} ${card.colleagues.map(escape).join(", ")}</div>` : ""}
    ${card.issues.length && !card.marked.length ? `<div class="warn">⚠ ${escape(card.issues[0])}</div>` : ""}
    ${card.marked.map((m) => `<div class="marked">${escape(m)}</div>`).join("")}
  </div>`;
}

function columnHtml(column, cards, data) {
  const waitlist = column.id === data.waitlist;
  const bars = column.bars.map((b) => `<div class="bar${b.bad ? " bad" : ""}">${escape(b.label)}
      <div class="track"><div class="fill" style="width:${Math.round(100 * Math.max(0, Math.min(1, b.value)))}%"></div></div></div>`).join("");
  const domains = column.domains.map((d) => `<span style="background:${escape(d.colour)}">${escape(d.label)} ${d.n}</span>`).join("");
  return `<section class="column${waitlist ? " waitlist" : ""}${column.over ? " over" : ""}" data-column="${escape(column.id)}">
    <div class="head"><div class="title">${escape(column.title)}</div><div class="size">${escape(column.subtitle)}</div>
      ${bars}${domains ? `<div class="domains">${domains}</div>` : ""}
      ${column.issues.map((i) => `<div class="rule">${escape(i)}</div>`).join("")}</div>
    <div class="body" role="list" data-column="${escape(column.id)}" aria-label="${escape(column.title)}">
      ${cards.map((c) => cardHtml(c, data)).join("")}</div></section>`;
}

function draw(root, data) {
  const scroll = {left: root.scrollLeft, bodies: {}};
  root.querySelectorAll(".body").forEach((b) => { scroll.bodies[b.dataset.column] = b.scrollTop; });
  const focused = root.getRootNode().activeElement?.dataset?.id ?? root.ownerDocument.activeElement?.dataset?.id;
  const byColumn = new Map(data.columns.map((c) => [String(c.id), []]));
  for (const card of data.cards) byColumn.get(String(card.column))?.push(card);
  root.innerHTML = data.columns.map((c) => columnHtml(c, byColumn.get(String(c.id)), data)).join("");
  root.scrollLeft = scroll.left;
  root.querySelectorAll(".body").forEach((b) => { b.scrollTop = scroll.bodies[b.dataset.column] || 0; });
  if (focused) root.querySelector(`.card[data-id="${focused}"]`)?.focus({preventScroll: true});
}

// One set of listeners on the board, installed once; they read the latest data and sender.
function listen(root) {
  const cardOf = (id) => root._data.cards.find((c) => String(c.id) === String(id));
  const move = (id, to) => {
    const data = root._data;
    const card = cardOf(id);
    if (!card || String(card.column) === String(to)) return;
    if (card.fixed) { root.querySelector(`.card[data-id="${id}"]`)?.setAttribute("title", data.labels.fixed); return; }
    const body = root.querySelector(`.body[data-column="${to}"]`);
    for (const other of [card.id, ...card.unit]) {
      const element = root.querySelector(`.card[data-id="${other}"]`);
      if (element && body) { element.classList.add("pending"); body.prepend(element); }
    }
    root.querySelector(`.card[data-id="${id}"]`)?.focus({preventScroll: true});
    root._send("move", {app: card.id, to: to === String(data.waitlist) ? data.waitlist : Number(to), at: Date.now()});
  };
  const select = (id) => root._send("select", {app: Number(id), at: Date.now()});
  root.addEventListener("dragstart", (e) => {
    const element = e.target.closest?.(".card");
    if (!element) return;
    e.dataTransfer.setData("text/plain", element.dataset.id);
    e.dataTransfer.effectAllowed = "move";
    element.classList.add("dragging");
  });
  root.addEventListener("dragend", (e) => e.target.closest?.(".card")?.classList.remove("dragging"));
  root.addEventListener("click", (e) => {
    const element = e.target.closest?.(".card");
    if (element) select(element.dataset.id);
  });
  root.addEventListener("keydown", (e) => {
    const element = e.target.closest?.(".card");
    if (!element) return;
    const order = root._data.columns.map((c) => String(c.id));
    const here = order.indexOf(String(cardOf(element.dataset.id)?.column));
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      select(element.dataset.id);
    } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      const next = here + (e.key === "ArrowRight" ? 1 : -1);
      if (here >= 0 && next >= 0 && next < order.length) move(element.dataset.id, order[next]);
    }
  });
  root.addEventListener("dragover", (e) => {
    const body = e.target.closest?.(".body");
    if (!body) return;
    e.preventDefault();
    root.querySelectorAll(".body.over").forEach((b) => b !== body && b.classList.remove("over"));
    body.classList.add("over");
  });
  root.addEventListener("dragleave", (e) => {
    const body = e.target.closest?.(".body");
    if (body && !body.contains(e.relatedTarget)) body.classList.remove("over");
  });
  root.addEventListener("drop", (e) => {
    const body = e.target.closest?.(".body");
    if (!body) return;
    e.preventDefault();
    body.classList.remove("over");
    move(e.dataTransfer.getData("text/plain"), body.dataset.column);
  });
}

export default function ({ parentElement, data, setTriggerValue }) {
  let hint = parentElement.querySelector(".hint");
  if (!hint) {
    hint = document.createElement("p");
    hint.className = "hint";
    parentElement.appendChild(hint);
  }
  hint.innerHTML = escape(data.labels.hint) + " " + (data.legend || []).map((d) =>
    `<span class="legend"><span class="swatch" style="background:${escape(d.colour)}"></span>${escape(d.label)}</span>`).join(" ");
  let root = parentElement.querySelector(".board");
  if (!root) {
    root = document.createElement("div");
    root.className = "board";
    parentElement.appendChild(root);
    listen(root);
  }
  root._data = data;
  root._send = setTriggerValue;
  draw(root, data);
}
