// Small behaviours every page may use. A static file, not inline code: the
// Content-Security-Policy allows scripts from this server only and no eval, so htmx's
// hx-vals="js:…" cannot run.
//
// data-join-param / data-join-from: an htmx element sends one more parameter, the values
// of other fields joined by a line break, e.g.
//   <div hx-get="/routing/suggest/" data-join-param="text" data-join-from="#id_title, #id_body">
document.addEventListener("htmx:configRequest", function (event) {
  var elt = event.detail.elt;
  var name = elt && elt.getAttribute && elt.getAttribute("data-join-param");
  if (!name) { return; }
  var values = [];
  document.querySelectorAll(elt.getAttribute("data-join-from") || "").forEach(function (field) {
    values.push(field.value || "");
  });
  event.detail.parameters[name] = values.join("\n").trim();
});
