// The leaders' board charts (supervision/board.html), drawn from its #board-data JSON; a
// click on a slice or a bar opens the drill-down list. A static file, not an inline script:
// the Content-Security-Policy allows scripts from this server only.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("board-data").textContent);
  var list = document.getElementById("board-links").dataset.list;
  var colors = {green: "#1a7f37", yellow: "#e0a100", red: "#b3261e", done: "#9aa3ad"};
  function chart(id, option, onClick) {
    var el = document.getElementById(id);
    var c = echarts.init(el);
    c.setOption(Object.assign({animation: false}, option));
    if (onClick) { c.on("click", onClick); }
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-lights", {
    title: {text: el("chart-lights"), left: 0, textStyle: {fontSize: 14}},
    tooltip: {trigger: "item"},
    series: [{type: "pie", radius: ["40%", "68%"], label: {formatter: "{b}\n{c}"},
      data: data.lights.filter(function (d) { return d.value > 0; }).map(function (d) {
        return {name: d.name, value: d.value, light: d.light, itemStyle: {color: colors[d.light]}};
      })}]
  }, function (p) { window.location = list + "?light=" + p.data.light; });
  chart("chart-units", {
    title: {text: el("chart-units"), left: 0, textStyle: {fontSize: 14}},
    tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
    legend: {bottom: 0},
    grid: {left: 10, right: 20, top: 36, bottom: 30, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", data: data.units.names, inverse: true},
    series: [
      {name: data.units.overdueName || "逾期", type: "bar", stack: "s", data: data.units.overdue,
        itemStyle: {color: colors.red}},
      {name: data.units.yellowName || "临期", type: "bar", stack: "s", data: data.units.yellow,
        itemStyle: {color: colors.yellow}}
    ]
  }, function (p) { window.location = list + "?unit=" + data.units.ids[p.dataIndex]; });
  chart("chart-sources", {
    title: {text: el("chart-sources"), left: 0, textStyle: {fontSize: 14}},
    tooltip: {trigger: "item"},
    series: [{type: "pie", radius: "62%", label: {formatter: "{b}：{c}"}, data: data.sources}]
  });
  chart("chart-months", {
    title: {text: el("chart-months"), left: 0, textStyle: {fontSize: 14}},
    tooltip: {trigger: "axis"},
    legend: {bottom: 0},
    grid: {left: 10, right: 20, top: 36, bottom: 30, containLabel: true},
    xAxis: {type: "category", data: data.months.names},
    yAxis: [{type: "value", minInterval: 1}, {type: "value", max: 100, axisLabel: {formatter: "{value}%"}}],
    series: [
      {name: data.months.itemsName || "交办", type: "bar", data: data.months.items, itemStyle: {color: "#c9ced6"}},
      {name: data.months.doneName || "办结", type: "bar", data: data.months.done, itemStyle: {color: "#1a7f37"}},
      {name: data.months.rateName || "按期办结率", type: "line", yAxisIndex: 1, data: data.months.rate,
        itemStyle: {color: "#b3261e"}}
    ]
  });
  function el(id) { return document.getElementById(id).getAttribute("aria-label"); }
});
