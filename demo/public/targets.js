// Where the backends emit, shared by the page (window.DEMO_TARGETS) and server.js (require).
(function (root) {
  const targets = {
    // Rooms of the default namespace that the page can join and leave.
    ROOMS: ["news", "sports"],
    // The namespaces the servers open and the page connects to.
    NAMESPACES: ["/", "/admin"],
  };
  if (typeof module === "object" && module.exports) module.exports = targets;
  else root.DEMO_TARGETS = targets;
})(this);
