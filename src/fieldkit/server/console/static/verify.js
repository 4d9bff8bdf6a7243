// The slip's QR code carries its verification code after "#", which never reaches the
// server: hand it to the check form once (no loop: only when no code was checked yet).
(function () {
  var code = decodeURIComponent(location.hash.replace(/^#/, ""));
  var form = document.getElementById("check");
  if (!code || !form || new URLSearchParams(location.search).has("code")) return;
  form.elements.code.value = code;
  form.submit();
})();
