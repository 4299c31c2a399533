// Lead conversion: when the pipeline changes, start the deal in that pipeline's first stage
// and show only its stages.
(function () {
  "use strict";
  const pipeline = document.getElementById("id_pipeline");
  const stage = document.getElementById("id_stage");
  if (!pipeline || !stage) return;
  function follow(pick) {
    let first = null;
    for (const option of stage.options) {
      const mine = !option.value || option.dataset.pipeline === pipeline.value;
      option.hidden = !mine;
      option.disabled = !mine;
      if (mine && option.value && first === null) first = option;
    }
    const current = stage.selectedOptions[0];
    if (pick || !current || current.disabled) stage.value = first ? first.value : "";
  }
  pipeline.addEventListener("change", () => follow(true));
  follow(false);
})();
