// The demo page: one socket per namespace, a table counting events by language and target,
// the latest events, and buttons that join and leave rooms through the server.
"use strict";

const { ROOMS, NAMESPACES } = window.DEMO_TARGETS;
const FEED_LENGTH = 30;

// Table columns: where an event arrived. Each event's payload names the room it was sent to
// (a client cannot tell which of its rooms matched), the socket tells the namespace.
const COLUMNS = [
  { id: "everyone", label: "/ everyone" },
  ...ROOMS.map((room) => ({ id: `room:${room}`, label: `/ room ${room}` })),
  ...NAMESPACES.filter((nsp) => nsp !== "/").map((nsp) => ({ id: `nsp:${nsp}`, label: `${nsp} everyone` })),
  { id: "image", label: "binary (PNG)" },
];

function targetOf(nsp, event, payload) {
  if (event === "image") return "image";
  if (nsp !== "/") return `nsp:${nsp}`;
  return payload.room ? `room:${payload.room}` : "everyone";
}

const grid = document.querySelector("#grid");
const feed = document.querySelector("#feed");
for (const column of COLUMNS) {
  const th = document.createElement("th");
  th.textContent = column.label;
  grid.tHead.rows[0].append(th);
}

// One row per language, made when its first event arrives.
function rowOf(lang) {
  let row = grid.querySelector(`tr[data-lang="${CSS.escape(lang)}"]`);
  if (row) return row;
  row = grid.tBodies[0].insertRow();
  row.dataset.lang = lang;
  const name = row.insertCell();
  name.className = "lang";
  name.textContent = lang;
  for (const column of COLUMNS) {
    const cell = row.insertCell();
    cell.dataset.target = column.id;
    cell.dataset.count = "0";
    cell.textContent = "0";
  }
  return row;
}

// Binary arrives as an ArrayBuffer; a Blob URL lets an <img> show it.
function imageOf(buffer, lang) {
  const img = document.createElement("img");
  img.src = URL.createObjectURL(new Blob([buffer], { type: "image/png" }));
  img.alt = `PNG from ${lang}`;
  img.dataset.lang = lang;
  return img;
}

function show(nsp, event, payload, binary) {
  const lang = String(payload.lang);
  const target = targetOf(nsp, event, payload);
  const cell = rowOf(lang).querySelector(`td[data-target="${target}"]`);
  if (!cell) return;
  cell.dataset.count = String(Number(cell.dataset.count) + 1);
  if (binary) {
    const old = cell.querySelector("img");
    if (old) URL.revokeObjectURL(old.src);
    cell.replaceChildren(imageOf(binary, lang), ` ${cell.dataset.count}`);
  } else {
    cell.textContent = cell.dataset.count;
  }

  const item = document.createElement("li");
  const label = COLUMNS.find((c) => c.id === target).label;
  item.append(`${new Date().toLocaleTimeString()} ${lang} → `);
  const where = document.createElement("span");
  where.className = "target";
  where.textContent = label;
  item.append(where, ` ${event}: ${payload.text ?? ""}`);
  if (binary) item.append(" ", imageOf(binary, lang));
  feed.prepend(item);
  while (feed.children.length > FEED_LENGTH) {
    feed.lastChild.querySelectorAll("img").forEach((img) => URL.revokeObjectURL(img.src));
    feed.lastChild.remove();
  }
}

const sockets = {};
for (const nsp of NAMESPACES) {
  const socket = io(nsp === "/" ? "/" : nsp);
  socket.on("message", (payload) => show(nsp, "message", payload));
  socket.on("image", (payload, binary) => show(nsp, "image", payload, binary));
  sockets[nsp] = socket;
}

const status = document.querySelector("#status");
const main = sockets["/"];
main.on("connect", () => {
  status.dataset.connected = "true";
  status.textContent = `connected to the server at ${location.host} (socket ${main.id})`;
  main.emit("join", null, showRooms); // a no-op join: learn the rooms (none after a reconnect)
});
main.on("disconnect", () => {
  status.dataset.connected = "false";
  status.textContent = "disconnected, reconnecting…";
});

// Room buttons: the server answers a join or leave with the socket's rooms.
const roomButtons = document.querySelector("#rooms");
for (const room of ROOMS) {
  const button = document.createElement("button");
  button.id = `room-${room}`;
  button.dataset.room = room;
  button.dataset.joined = "false";
  button.textContent = `join ${room}`;
  button.addEventListener("click", () => {
    const action = button.dataset.joined === "true" ? "leave" : "join";
    main.emit(action, room, showRooms);
  });
  roomButtons.append(button);
}

function showRooms(rooms) {
  for (const button of roomButtons.querySelectorAll("button")) {
    const joined = rooms.includes(button.dataset.room);
    button.dataset.joined = String(joined);
    button.textContent = `${joined ? "leave" : "join"} ${button.dataset.room}`;
  }
}
