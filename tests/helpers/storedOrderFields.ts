/** Every field of a stored order; anything else would be something a body smuggled in. */
export const ORDER_KEYS = [
  '_id',
  'created_at',
  'items',
  'processed_at',
  'sqs_message_id',
  'status',
  'timestamp',
  'total_amount',
  'total_amount_micros',
  'user_id',
];

/** Every field of a stored line item. */
export const ITEM_KEYS = ['item_id', 'price', 'price_micros', 'quantity'];
