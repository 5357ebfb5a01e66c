// The page's entry point: defining the elements is all it takes; <slipway-app> starts the guest.
import "./slipway-app.ts";
