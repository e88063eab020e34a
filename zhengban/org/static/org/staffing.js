// The two staffing bar charts of org/staffing.html, drawn from its #staffing-data JSON.
// A static file, not an inline script: the Content-Security-Policy allows scripts from
// this server only.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) { return; }
  var data = JSON.parse(document.getElementById("staffing-data").textContent);
  function draw(id, part) {
    var el = document.getElementById(id);
    if (!part.labels.length) { el.parentNode.style.display = "none"; return; }
    // Size before init so the layout (legend, axes) is computed for the final height.
    el.style.height = Math.max(220, part.labels.length * 34 + 80) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      title: {text: part.title, left: 0, textStyle: {fontSize: 14}},
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: 0, right: 0, data: [data.approvedName, data.filledName]},
      grid: {left: 10, right: 30, top: 40, bottom: 10, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: part.labels, inverse: true},
      series: [
        {name: data.approvedName, type: "bar", data: part.approved, itemStyle: {color: "#c9ced6"}},
        {name: data.filledName, type: "bar", data: part.filled, itemStyle: {color: "#b3261e"}}
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  draw("staffing-chart", data.quotas);
  draw("post-chart", data.posts);
});
