// 常用意见: picking a phrase puts it into the opinion box it belongs to (appended when the
// box already holds text). Without scripts the form still works: a picked phrase stands in
// for an empty text on the server.
document.addEventListener("change", function (event) {
  var picker = event.target;
  var id = picker && picker.getAttribute && picker.getAttribute("data-phrase-for");
  if (!id || !picker.value) { return; }
  var box = document.getElementById(id);
  if (!box) { return; }
  box.value = box.value.trim() ? box.value.trim() + picker.value : picker.value;
  picker.value = "";
  box.focus();
});
